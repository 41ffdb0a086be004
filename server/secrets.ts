// Secrets every service instance must share (the list cursors' signing key): made once, by the
// first instance that needs one, and kept in the database (service_secrets, migration 12), so a
// cursor issued by one instance is accepted by another behind the same load balancer.

import { randomBytes } from 'node:crypto';
import type { Database } from './db/database.js';

const loaded = new WeakMap<Database, Map<string, Promise<Buffer>>>();

/** The shared secret `name` (32 random bytes), read once per process. */
export function sharedSecret(db: Database, name: string): Promise<Buffer> {
  let byName = loaded.get(db);
  if (!byName) loaded.set(db, (byName = new Map()));
  let secret = byName.get(name);
  if (!secret) {
    secret = (async () => {
      await db.query(
        'INSERT INTO service_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
        [name, randomBytes(32).toString('base64')],
      );
      const res = await db.query<{ secret: string }>('SELECT secret FROM service_secrets WHERE name = $1', [
        name,
      ]);
      return Buffer.from(res.rows[0]!.secret, 'base64');
    })();
    secret.catch(() => byName.delete(name));
    byName.set(name, secret);
  }
  return secret;
}
