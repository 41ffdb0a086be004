// One small SQL interface over both database targets: real PostgreSQL (node-postgres pool, through
// DATABASE_URL) and embedded PostgreSQL (PGlite, in DATA_DIR) when DATABASE_URL is unset. Same SQL,
// same schema, same migrations: PGlite is PostgreSQL compiled to WASM, so no dialect layer is needed.
// Both targets return dates and timestamps as PostgreSQL's text (session time zone Asia/Ho_Chi_Minh)
// and int8 as numbers, so the rest of the service sees one shape.

import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createHash } from 'node:crypto';
import pg from 'pg';

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

export async function openPostgres(
  url: string,
  poolSize = Number(process.env.DB_POOL_SIZE ?? 20),
  lifetimeSeconds = 3600,
): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // A connection keeps the plans of its prepared statements and routines for as long as it lives,
    // and a plan made while a table was still empty (a new system) reads that table whole at every
    // use once it has grown (docs/server.md, run 8). Connections are replaced after an hour, between
    // two uses, so such a plan lasts an hour at most.
    maxLifetimeSeconds: lifetimeSeconds,
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
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn, options) {
      const client = await pool.connect();
      try {
        await client.query(
          options?.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}` : 'BEGIN',
        );
        const out = await fn(wrap(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** Embedded PostgreSQL; `dataDir` undefined keeps it in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Database> {
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

export async function openDatabase(config: { databaseUrl?: string; dataDir?: string }): Promise<Database> {
  return config.databaseUrl ? await openPostgres(config.databaseUrl) : await openPglite(config.dataDir);
}
