// Messages between the service's instances, over PostgreSQL's LISTEN/NOTIFY: each instance keeps a
// few things in memory (signed-in sessions, rejection reasons, the words of names), and when one of
// them changes on one instance every other drops or updates its copy.
//
// A notification is sent inside the transaction that makes the change, so it leaves exactly when the
// change commits. A sign-out must take effect on every instance at once: its notification carries a
// nonce, every other listening instance answers it once it has dropped the session (an `ack` on the
// same channel), and the sign-out is answered only when all have (or after BUS_ACK_TIMEOUT_MS, for an
// instance that is hung: it is logged). An instance trusts what it keeps only while its listening
// connection is up, and only what it read after that connection started listening (`epoch`): when
// the connection drops (a failover) it forgets everything and reads from the database until it
// listens again. On the embedded PGlite there is one process and the bus is local.

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type pino from 'pino';
import type { PostgresDatabase } from './db/database.js';

export const BUS_CHANNEL = 'bhxh_bus';
/** The listening connection's application_name starts with this, then the instance's id. */
export const BUS_APP_PREFIX = 'bhxh-bus ';

export type BusMessage =
  | { kind: 'session'; key: string }
  | { kind: 'reasons' }
  | { kind: 'words'; words?: string[]; reload?: boolean };

type Envelope = BusMessage & { from?: string; nonce?: string };

export type Prepared = {
  /** The payload for `pg_notify('bhxh_bus', payload)` in the caller's own statement. */
  payload: string;
  /** SQL that lists the instances expected to answer (run in the same statement as the notify). */
  listenersSql: string;
  /** Waits for every listed instance's answer (or the time-out); `listed` from listenersSql. */
  confirmed(listed: readonly string[]): Promise<{ answered: number; missing: number }>;
};

export type Bus = {
  readonly instanceId: string;
  /** A number that changes whenever listening (re)starts; null while not listening. */
  epoch(): number | null;
  on(handler: (msg: BusMessage) => void): void;
  /** Called when listening (re)starts after a gap: every kept copy may be stale. */
  onReset(handler: () => void): void;
  prepare(msg: BusMessage): Prepared;
  /** Sends a message outside any transaction (no answer awaited). */
  publish(msg: BusMessage): Promise<void>;
  close(): Promise<void>;
};

/** The instances a message waits for: listening in this database (notifications stay within one). */
const LISTENERS_SQL = `SELECT COALESCE(array_agg(substr(application_name, ${BUS_APP_PREFIX.length + 1})), '{}') AS listed
  FROM pg_stat_activity WHERE application_name LIKE '${BUS_APP_PREFIX}%' AND datname = current_database()`;

/** One process (PGlite): messages go straight to the handlers. */
export function createLocalBus(): Bus {
  const handlers: Array<(msg: BusMessage) => void> = [];
  const instanceId = `local-${process.pid}`;
  return {
    instanceId,
    epoch: () => 1,
    on: (h) => void handlers.push(h),
    onReset: () => undefined,
    prepare(msg) {
      return {
        payload: JSON.stringify({ ...msg, from: instanceId }),
        listenersSql: "SELECT '{}'::text[] AS listed",
        confirmed: async () => ({ answered: 0, missing: 0 }),
      };
    },
    async publish(msg) {
      for (const h of handlers) h(msg);
    },
    close: async () => undefined,
  };
}

export type PostgresBusOptions = {
  db: PostgresDatabase;
  log: pino.Logger;
  /** How long a sign-out waits for the other instances' answers (2 s). */
  ackTimeoutMs?: number;
};

export async function createPostgresBus(options: PostgresBusOptions): Promise<Bus> {
  const { db, log } = options;
  const ackTimeoutMs = options.ackTimeoutMs ?? 2000;
  const instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const handlers: Array<(msg: BusMessage) => void> = [];
  const resetHandlers: Array<() => void> = [];
  const waiting = new Map<string, { answered: Set<string>; wake: () => void }>();
  let client: pg.Client | null = null;
  let epoch: number | null = null;
  let epochs = 0;
  let closed = false;
  let retryMs = 250;
  let retryTimer: NodeJS.Timeout | null = null;

  const deliver = (raw: string | undefined): void => {
    let msg: Envelope;
    try {
      msg = JSON.parse(raw ?? '') as Envelope;
    } catch {
      return;
    }
    if ((msg as { kind: string }).kind === 'ack') {
      const w = waiting.get(msg.nonce ?? '');
      if (w && msg.from) {
        w.answered.add(msg.from);
        w.wake();
      }
      return;
    }
    if (msg.from !== instanceId) for (const h of handlers) h(msg);
    if (msg.nonce && msg.from !== instanceId && client) {
      const ack = JSON.stringify({ kind: 'ack', nonce: msg.nonce, from: instanceId });
      client.query('SELECT pg_notify($1, $2)', [BUS_CHANNEL, ack]).catch(() => undefined);
    }
  };

  const lost = (c: pg.Client): void => {
    if (client !== c) return;
    client = null;
    epoch = null;
    void c.end().catch(() => undefined);
    if (!closed) schedule();
  };
  const schedule = (): void => {
    if (retryTimer || closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, 5000);
  };
  const connect = async (): Promise<void> => {
    let c: pg.Client | null = null;
    try {
      const url = await db.serverUrl();
      c = new pg.Client({
        connectionString: url,
        application_name: `${BUS_APP_PREFIX}${instanceId}`,
        connectionTimeoutMillis: 5000,
      });
      const self = c;
      c.on('error', () => lost(self));
      c.on('end', () => lost(self));
      c.on('notification', (n) => {
        if (n.channel === BUS_CHANNEL) deliver(n.payload);
      });
      await c.connect();
      await c.query(`LISTEN ${BUS_CHANNEL}`);
      if (closed) {
        await c.end();
        return;
      }
      client = c;
      // Whatever was kept may have missed messages while nobody listened.
      for (const h of resetHandlers) h();
      epoch = ++epochs;
      retryMs = 250;
      if (epochs > 1) log.info({ instance: instanceId }, 'bus listening again');
    } catch (err) {
      await c?.end().catch(() => undefined);
      log.warn({ err: { message: (err as Error).message.slice(0, 200) } }, 'bus not listening');
      schedule();
    }
  };
  await connect();

  return {
    instanceId,
    epoch: () => (client ? epoch : null),
    on: (h) => void handlers.push(h),
    onReset: (h) => void resetHandlers.push(h),
    prepare(msg) {
      const nonce = randomUUID();
      const entry = { answered: new Set<string>(), wake: () => undefined as void };
      waiting.set(nonce, entry);
      return {
        payload: JSON.stringify({ ...msg, from: instanceId, nonce }),
        listenersSql: LISTENERS_SQL,
        async confirmed(listed) {
          const others = listed.filter((id) => id !== instanceId);
          const until = Date.now() + ackTimeoutMs;
          try {
            for (;;) {
              const missing = others.filter((id) => !entry.answered.has(id));
              if (missing.length === 0) return { answered: others.length, missing: 0 };
              const left = until - Date.now();
              if (left <= 0) {
                log.warn({ missing: missing.length, kind: msg.kind }, 'bus: instances did not answer');
                return { answered: others.length - missing.length, missing: missing.length };
              }
              await new Promise<void>((resolve) => {
                const t = setTimeout(resolve, left);
                entry.wake = () => {
                  clearTimeout(t);
                  resolve();
                };
              });
            }
          } finally {
            waiting.delete(nonce);
          }
        },
      };
    },
    async publish(msg) {
      await db.query('SELECT pg_notify($1, $2)', [BUS_CHANNEL, JSON.stringify({ ...msg, from: instanceId })]);
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const c = client;
      client = null;
      epoch = null;
      await c?.end().catch(() => undefined);
    },
  };
}
