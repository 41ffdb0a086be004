// One small SQL interface over both database targets: real PostgreSQL (node-postgres pool, through
// DATABASE_URL) and embedded PostgreSQL (PGlite, in DATA_DIR) when DATABASE_URL is unset. Same SQL,
// same schema, same migrations: PGlite is PostgreSQL compiled to WASM, so no dialect layer is needed.

import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type Row = Record<string, unknown>;
export type QueryResult<R extends Row = Row> = { rows: R[]; rowCount: number };

export type Queryable = {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
};

export type Database = Queryable & {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction (READ COMMITTED unless told); rolls back on throw. */
  transaction<T>(
    fn: (tx: Queryable) => Promise<T>,
    options?: { isolation?: 'serializable' | 'repeatable read' },
  ): Promise<T>;
  close(): Promise<void>;
};

export async function openPostgres(url: string, poolSize = 20): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // Dates come back as ISO strings, never as JS Dates in the server's local zone.
  const asText = (v: string): string => v;
  pg.types.setTypeParser(1082, asText); // date
  pg.types.setTypeParser(1114, asText); // timestamp
  pg.types.setTypeParser(1184, asText); // timestamptz
  pg.types.setTypeParser(20, (v: string) => Number(v)); // int8 (sequences stay far below 2^53)
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R extends Row>(sql: string, params: readonly unknown[] = []) {
      const res = await c.query(sql, params as unknown[]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
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
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  const wrap = (c: Pick<PGlite, 'query'>): Queryable => ({
    async query<R extends Row>(sql: string, params: readonly unknown[] = []) {
      const res = await c.query<R>(sql, params as unknown[]);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
  });
  return {
    kind: 'pglite',
    ...wrap(db),
    async transaction(fn) {
      // PGlite has one connection: transactions run one after another, which is always serialisable.
      return await db.transaction(async (tx) => await fn(wrap(tx as unknown as Pick<PGlite, 'query'>)));
    },
    async close() {
      await db.close();
    },
  };
}

export async function openDatabase(config: { databaseUrl?: string; dataDir?: string }): Promise<Database> {
  return config.databaseUrl ? await openPostgres(config.databaseUrl) : await openPglite(config.dataDir);
}
