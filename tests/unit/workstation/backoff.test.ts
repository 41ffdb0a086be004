// Retry delays: exponential, capped, and jittered so a room of workstations coming back online does
// not retry in lockstep.
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../contract/index.js';
import { backoffDelay } from '../../../electron/workstation/sync/syncEngine.js';

describe('backoffDelay', () => {
  it('doubles per attempt within [d/2, d] and stops at the cap', () => {
    expect(backoffDelay(0, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(0, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(30, 1000, 60_000, () => 0)).toBe(30_000);
  });

  it('spreads retries of many workstations', () => {
    const rnd = createRandom(1);
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, 1000, 60_000, rnd)));
    expect(delays.size).toBeGreaterThan(40);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(8000);
  });
});
