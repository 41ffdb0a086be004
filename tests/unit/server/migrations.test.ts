// server/db/migrations.ts: a shipped migration never changes. Its SQL is written out in the file, not
// built from live code, and this fingerprint of each catches an edit (a change is a new migration).
// The migrations' effects are tested on PostgreSQL in tests/integration/server/lifecycle.test.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../server/db/migrations.js';

/** sha-256 (first 16 hex digits) of each migration's SQL as shipped, in order. */
const SHIPPED = [
  '334ba18c5cdfbd2a',
  'a517b0260cd3863d',
  'e42ea054beae6974',
  'eb2d8fb167db27b5',
  '2aa46bae51ea1a61',
  '8b61bc741843e972',
  '03608ed370e5f022',
  'eecf8bd3cc5eb288',
  'ec4fdcfee33ca1a5',
  '12b58853b4c5a52b',
  '6b3fd946d6f54557',
  '1abe8aea9edc65a4',
];

describe('server migrations', () => {
  it('are frozen as shipped: each one the same SQL, new ones only added at the end', () => {
    const now = MIGRATIONS.map((m) => createHash('sha256').update(m.sql).digest('hex').slice(0, 16));
    expect(now.slice(0, SHIPPED.length)).toEqual(SHIPPED);
  });
});
