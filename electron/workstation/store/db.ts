// The typed handle the store's area modules (state, dossiers, outbox, caches, images) work on: the
// encrypted SQLite connection, its prepared-statement cache and the store's clock. Opening it checks
// the key, refuses a file whose schema is newer than this app knows, and migrates an older one. Only
// LocalStore (localStore.ts) holds a handle; nothing outside store/ sees the connection.

import Sqlite from 'better-sqlite3-multiple-ciphers';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS, migrate } from './migrations.js';

export type StoreOptions = {
  file: string;
  /** 32-byte key; the file is unreadable without it. */
  key: Buffer;
  now?: () => Date;
};

export type StoreDb = {
  readonly db: Sqlite.Database;
  /**
   * A prepared statement, compiled once per SQL text (compiling took about a fifth of the work of
   * storing the service's answer to a decision). SQL built from a filter has a bounded set of texts.
   */
  sql(text: string): Sqlite.Statement;
  /** The store's clock as an ISO timestamp. */
  iso(): string;
  /** True while a first sync loads without secondary indexes (dossiers.ts, beginBulkLoad). */
  bulk: boolean;
  /** The agencies that have dossiers in the store, once read (kept up to date as dossiers arrive). */
  present: Set<string> | null;
};

/** Raised when the file was written by a newer workstation: opening it here could damage it. */
export class NewerStoreError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `Kho dữ liệu máy trạm do phiên bản mới hơn tạo (lược đồ ${found}, phiên bản này chỉ biết đến ${known}): ` +
        'hãy cài phiên bản mới nhất của ứng dụng máy trạm. Kho dữ liệu không bị thay đổi.',
    );
    this.name = 'NewerStoreError';
  }
}

export function openStoreDb(options: StoreOptions, beforeMigrate: (h: StoreDb) => void): StoreDb {
  if (options.key.length !== 32) throw new Error('Khóa kho dữ liệu phải dài 32 byte.');
  const now = options.now ?? (() => new Date());
  mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o700 });
  const db = new Sqlite(options.file);
  try {
    // The key pragma must come first: every later read checks it (SQLITE_NOTADB when wrong).
    db.pragma(`hexkey='${options.key.toString('hex')}'`);
    // Before anything writes: an older app must not write into a newer app's store.
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new NewerStoreError(version, MIGRATIONS.length);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL survives a crash of the app; only the officer's own decisions and images need to
    // survive a power cut too, so those commit with FULL (durably); everything else is re-pulled or
    // re-sent.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // Pages are decrypted into this cache: 200,000 dossiers are ~400 MB on disk, and a search that
    // sorts thousands of matches touches their rows, so a large cache is what keeps it fast.
    db.pragma('cache_size = -196608');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  const statements = new Map<string, Sqlite.Statement>();
  const handle: StoreDb = {
    db,
    sql(text) {
      let s = statements.get(text);
      if (!s) {
        s = db.prepare(text);
        statements.set(text, s);
      }
      return s;
    },
    iso: () => now().toISOString(),
    bulk: false,
    present: null,
  };
  if ((db.pragma('user_version', { simple: true }) as number) > 0) beforeMigrate(handle);
  migrate(db);
  return handle;
}

/** Runs `fn` in one transaction committed with synchronous = FULL: it survives a power cut. */
export function durably<T>(h: StoreDb, fn: () => T): T {
  h.db.pragma('synchronous = FULL');
  try {
    return h.db.transaction(fn)();
  } finally {
    h.db.pragma('synchronous = NORMAL');
  }
}
