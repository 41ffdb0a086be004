// contract/backoff.ts, the one retry delay of the sync engine and the SMS/e-mail delivery: exponential,
// capped, and jittered so a room of workstations coming back online does not retry in lockstep.
import { describe, expect, it } from 'vitest';
import { backoffDelay, createRandom } from '../../../contract/index.js';

describe('backoffDelay', () => {
  const sync = { baseMs: 1000, maxMs: 60_000 };

  it('doubles per failure within [d/2, d] and stops at the cap', () => {
    expect(backoffDelay(1, sync, () => 0)).toBe(500);
    expect(backoffDelay(1, sync, () => 1)).toBe(1000);
    expect(backoffDelay(4, sync, () => 1)).toBe(8000);
    expect(backoffDelay(31, sync, () => 1)).toBe(60_000);
    expect(backoffDelay(31, sync, () => 0)).toBe(30_000);
  });

  it('spreads retries of many workstations', () => {
    const rnd = createRandom(1);
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, sync, rnd)));
    expect(delays.size).toBeGreaterThan(40);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(8000);
  });

  it('paces the SMS gateway the same way with its own step and cap', () => {
    const sms = { baseMs: 1000, maxMs: 8000 };
    expect(backoffDelay(1, sms, () => 0)).toBe(500);
    expect(backoffDelay(1, sms, () => 1)).toBe(1000);
    expect(backoffDelay(3, sms, () => 1)).toBe(4000);
    expect(backoffDelay(10, sms, () => 1)).toBe(8000);
  });
});
