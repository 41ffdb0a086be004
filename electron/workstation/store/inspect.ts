// For tests and benchmarks only (check:deps lets nothing else import it): the SQLite connection behind
// a LocalStore, to look into the file or to make SQLite refuse writes. The app itself goes through
// LocalStore's methods.

import type Sqlite from 'better-sqlite3-multiple-ciphers';
import type { LocalStore } from './localStore.js';

export function storeDatabase(store: LocalStore): Sqlite.Database {
  // LocalStore's handle is private to the app; TypeScript allows this element access for tests.
  return store['db'].db;
}
