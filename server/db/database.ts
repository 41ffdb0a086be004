// One small SQL interface over both database targets: real PostgreSQL (node-postgres pool, through
// DATABASE_URL) and embedded PostgreSQL (PGlite, in DATA_DIR) when DATABASE_URL is unset. Same SQL,
// same schema, same migrations: PGlite is PostgreSQL compiled to WASM, so no dialect layer is needed.
// Both targets return dates and timestamps as PostgreSQL's text (session time zone Asia/Ho_Chi_Minh)
// and int8 as numbers, so the rest of the service sees one shape.

import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { ApiError } from '../errors.js';

export type Row = Record<string, unknown>;
export type QueryResult<R extends Row = Row> = { rows: R[]; rowCount: number };

/**
 * `prepare`: the statement is hot and its text fixed (values only in parameters), so on PostgreSQL
 * it is prepared once per connection and later calls skip parsing and planning. Never for SQL
 * built with varying text: each distinct text would stay prepared on every connection.
 */
export type QueryOptions = { prepare?: boolean };

export type Queryable = {
  query<R extends Row = Row>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
};

export type TransactionOptions = { isolation?: 'serializable' | 'repeatable read' };

export type Database = Queryable & {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction (READ COMMITTED unless told); rolls back on throw. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
};

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const statementNames = new Map<string, string>();
/** A prepared statement's name: derived from its text, so every connection agrees on it. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `s${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

const asText = (v: string): string => v;
const asNumber = (v: string): number => Number(v);

/**
 * The servers of a DATABASE_URL, libpq's way: `postgres://user@h1:5432,h2:5433/db?
 * target_session_attrs=read-write` lists a primary and its replicas; each becomes a single-host URL
 * (node-postgres reads one host only). `read-write` (the service's default with several hosts) takes
 * the first that is not in recovery, `any` the first that answers, `prefer-standby` a replica when one
 * answers (searches served from a replica).
 */
export type HostList = { urls: string[]; attrs: 'any' | 'read-write' | 'prefer-standby' };

export function parseHosts(url: string): HostList {
  const m = /^(postgres(?:ql)?:\/\/)([^@/]*@)?([^/?#]*)(.*)$/u.exec(url);
  if (!m) return { urls: [url], attrs: 'any' };
  const [, scheme, auth = '', hostPart = '', rest = ''] = m;
  const hosts = hostPart.split(',').filter(Boolean);
  const q = rest.indexOf('?');
  const params = new URLSearchParams(q >= 0 ? rest.slice(q + 1) : '');
  const asked = params.get('target_session_attrs');
  params.delete('target_session_attrs');
  const tail = (q >= 0 ? rest.slice(0, q) : rest) + (params.size ? `?${params.toString()}` : '');
  const attrs =
    asked === 'read-write' || asked === 'primary'
      ? 'read-write'
      : asked === 'prefer-standby' || asked === 'standby' || asked === 'read-only'
        ? 'prefer-standby'
        : asked === 'any'
          ? 'any'
          : hosts.length > 1
            ? 'read-write'
            : 'any';
  return { urls: (hosts.length ? hosts : ['']).map((h) => `${scheme}${auth}${h}${tail}`), attrs };
}

/**
 * The first server of the list that suits `attrs`, probed in order with a short connection of its own
 * (`SELECT pg_is_in_recovery()`); null when none does (the primary is down and no replica has been
 * promoted yet).
 */
export async function findServer(list: HostList, connectTimeoutMs = 3000): Promise<string | null> {
  let fallback: string | null = null;
  for (const url of list.urls) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const res = await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
      const standby = res.rows[0]?.r === true;
      if (list.attrs === 'any') return url;
      if (list.attrs === 'read-write' && !standby) return url;
      if (list.attrs === 'prefer-standby') {
        if (standby) return url;
        fallback ??= url;
      }
    } catch {
      // unreachable or refusing: the next one
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return fallback;
}

/** node-postgres and PostgreSQL errors that mean the server went away or is not (or no longer) a primary. */
const CONNECTION_CODES = new Set([
  '57P01', // admin_shutdown (a fast stop, or a promoted replica's old primary)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, or recovering after a crash)
  '25006', // read_only_sql_transaction: this server is a replica now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && CONNECTION_CODES.has(e.code)) return true;
  return /Connection terminated|connection (?:is )?closed|Client has encountered a connection error|the database system is (?:shutting down|starting up|in recovery mode)/iu.test(
    e.message ?? '',
  );
}

/** Every pooled connection stayed busy for connectionTimeoutMillis: the server is overloaded, not gone. */
const isPoolTimeout = (err: unknown): boolean =>
  /timeout exceeded when trying to connect/iu.test((err as Error | null)?.message ?? '');

/**
 * Thrown instead of a connection error: the service's error handler answers 503 with this sentence,
 * and a workstation keeps the request queued and sends it again (decisions are idempotent by
 * decisionId, so one whose commit's answer was lost is never applied twice).
 */
export class DatabaseUnavailableError extends ApiError {
  constructor(override readonly cause: unknown) {
    super(503, 'unavailable', 'Cơ sở dữ liệu tạm thời không sẵn sàng. Vui lòng thử lại sau ít phút.');
    this.name = 'DatabaseUnavailableError';
  }
}

export type PostgresDatabase = Database & {
  readonly kind: 'postgres';
  /** The single-host URL of the server the pool uses now (the primary, with read-write). */
  serverUrl(): Promise<string>;
};

export async function openPostgres(
  url: string,
  poolSize = Number(process.env.DB_POOL_SIZE ?? 20),
  lifetimeSeconds = 3600,
): Promise<PostgresDatabase> {
  const list = parseHosts(url);
  const makePool = (serverUrl: string): pg.Pool => {
    const pool = new pg.Pool({
      connectionString: serverUrl,
      max: poolSize,
      // A connection keeps the plans of its prepared statements and routines for as long as it lives,
      // and a plan made while a table was still empty (a new system) reads that table whole at every
      // use once it has grown (docs/server.md, run 8). Connections are replaced after an hour, between
      // two uses, so such a plan lasts an hour at most.
      maxLifetimeSeconds: lifetimeSeconds,
      // A server that vanished without closing its sockets (power loss, a partition) is noticed by
      // the connection attempt's time-out and by TCP keep-alive on open connections.
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      options: `-c TimeZone=${TIME_ZONE}`,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === 1082 || oid === 1114 || oid === 1184) return asText;
          if (oid === 20) return asNumber; // int8: sequences stay far below 2^53
          return pg.types.getTypeParser(oid, format ?? 'text');
        }) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client's error (server restarted) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    return pool;
  };

  // One server: its pool, reconnecting by itself. Several: the pool of the server that suits now; a
  // connection error drops it, and the next query looks for the server again (the promoted replica
  // after a failover), one look at a time.
  let current: { pool: pg.Pool; url: string } | null =
    list.urls.length === 1 ? { pool: makePool(list.urls[0]!), url: list.urls[0]! } : null;
  let looking: Promise<{ pool: pg.Pool; url: string }> | null = null;
  let closed = false;
  const acquire = async (): Promise<{ pool: pg.Pool; url: string }> => {
    if (current) return current;
    if (closed) throw new Error('database closed');
    looking ??= (async () => {
      try {
        const found = await findServer(list);
        if (!found) throw new DatabaseUnavailableError(new Error('no server suits'));
        current = { pool: makePool(found), url: found };
        return current;
      } finally {
        looking = null;
      }
    })();
    return await looking;
  };
  const failed = (used: { pool: pg.Pool }, err: unknown): never => {
    if (isPoolTimeout(err)) throw new DatabaseUnavailableError(err);
    if (isConnectionError(err)) {
      if (list.urls.length > 1 && current?.pool === used.pool) {
        current = null;
        void used.pool.end().catch(() => undefined);
      }
      throw new DatabaseUnavailableError(err);
    }
    throw err;
  };
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R extends Row>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) {
      const res = options?.prepare
        ? await c.query({ text: sql, values: params as unknown[], name: statementName(sql) })
        : await c.query(sql, params as unknown[]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await c.query(sql);
    },
  });
  const db: PostgresDatabase = {
    kind: 'postgres',
    async query<R extends Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) {
      const used = await acquire();
      try {
        return await wrap(used.pool).query<R>(sql, params, options);
      } catch (err) {
        return failed(used, err);
      }
    },
    async exec(sql: string) {
      const used = await acquire();
      try {
        await used.pool.query(sql);
      } catch (err) {
        failed(used, err);
      }
    },
    async transaction(fn, options) {
      const used = await acquire();
      let client: pg.PoolClient;
      try {
        client = await used.pool.connect();
      } catch (err) {
        return failed(used, err);
      }
      // A checked-out client's connection error (the server died while the transaction waits, e.g.
      // a delivery pass on its gateway) is emitted with no pool listener: caught here, and the next
      // statement fails with it.
      let lostWhileOut: unknown = null;
      const onError = (err: unknown): void => {
        lostWhileOut ??= err;
      };
      client.on('error', onError);
      let broken = false;
      try {
        await client.query(
          options?.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}` : 'BEGIN',
        );
        const out = await fn(wrap(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        broken = lostWhileOut !== null || isConnectionError(err);
        if (!broken) await client.query('ROLLBACK').catch(() => undefined);
        return failed(used, err);
      } finally {
        client.off('error', onError);
        client.release(broken ? true : undefined);
      }
    },
    async serverUrl() {
      return (await acquire()).url;
    },
    async close() {
      closed = true;
      await current?.pool.end();
      current = null;
    },
  };
  return db;
}

/** Embedded PostgreSQL; `dataDir` undefined keeps it in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Database & { readonly kind: 'pglite' }> {
  const options = {
    extensions: { pg_trgm },
    parsers: { 1082: asText, 1114: asText, 1184: asText, 20: asNumber },
  };
  const db = dataDir ? new PGlite(dataDir, options) : new PGlite(options);
  await db.waitReady;
  await db.exec(`SET TimeZone = '${TIME_ZONE}'`);
  const wrap = (c: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<R extends Row>(sql: string, params: readonly unknown[] = []) {
      const res = await c.query<R>(sql, params as unknown[]);
      // PGlite reports affectedRows 0 for SELECT: count the rows it returned then.
      return { rows: res.rows, rowCount: res.rows.length > 0 ? res.rows.length : (res.affectedRows ?? 0) };
    },
    async exec(sql: string) {
      await c.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...wrap(db),
    async transaction(fn) {
      // PGlite has one connection: transactions run one after another, which is always serialisable.
      return await db.transaction(
        async (tx) => await fn(wrap(tx as unknown as Pick<PGlite, 'query' | 'exec'>)),
      );
    },
    async close() {
      await db.close();
    },
  };
}

export type AnyDatabase = PostgresDatabase | (Database & { readonly kind: 'pglite' });

export async function openDatabase(config: { databaseUrl?: string; dataDir?: string }): Promise<AnyDatabase> {
  return config.databaseUrl ? await openPostgres(config.databaseUrl) : await openPglite(config.dataDir);
}
