import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../server/config.js';
import { MAX_PAUSE_MS, READ_QUIET_MS, ReadsFirst } from '../../../server/qos.js';

describe('ReadsFirst (decisions step back while officers read)', () => {
  it('counts reads as going on while any runs and for READ_QUIET_MS after the last ends', () => {
    let t = 1000;
    const q = new ReadsFirst(8, () => t);
    expect(q.readsGoingOn()).toBe(false);
    expect(q.pauseBeforeWrites()).toBe(0);
    const a = q.begin();
    const b = q.begin();
    expect(q.pauseBeforeWrites()).toBe(8);
    a();
    a(); // ending twice counts once
    t += 10 * READ_QUIET_MS;
    expect(q.readsGoingOn()).toBe(true); // b still runs, however long
    b();
    expect(q.pauseBeforeWrites()).toBe(8);
    t += READ_QUIET_MS - 1;
    expect(q.readsGoingOn()).toBe(true);
    t += 1;
    expect(q.readsGoingOn()).toBe(false);
    expect(q.pauseBeforeWrites()).toBe(0);
  });

  it('pauses as long as the last write batch took, at least the setting and at most MAX_PAUSE_MS', () => {
    const q = new ReadsFirst(8, () => 0);
    const end = q.begin();
    q.wrote(3);
    expect(q.pauseBeforeWrites()).toBe(8);
    q.wrote(21.5);
    expect(q.pauseBeforeWrites()).toBe(21.5);
    q.wrote(2000); // a batch held up by a lock wait
    expect(q.pauseBeforeWrites()).toBe(MAX_PAUSE_MS);
    end();
    const later = new ReadsFirst(8, () => 10 * READ_QUIET_MS);
    later.wrote(30);
    expect(later.pauseBeforeWrites()).toBe(0); // no reads: no pause however long the writes
  });

  it('never pauses when switched off (0), reads or not', async () => {
    const q = new ReadsFirst(0, () => 0);
    q.begin();
    q.wrote(30);
    expect(q.readsGoingOn()).toBe(true);
    expect(q.pauseBeforeWrites()).toBe(0);
    // resolves without a timer: a fake clock would otherwise hang it
    await q.beforeWrites();
  });

  it('lets one write batch run at a time while reads go on, each after its pause; two at once otherwise', async () => {
    const slept: number[] = [];
    const q = new ReadsFirst(
      8,
      () => 0,
      async (ms) => {
        slept.push(ms);
      },
    );
    // Settles once every callback queued so far has run (the sleeps above resolve at once).
    const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
    const started: string[] = [];
    const ends: Record<string, () => void> = {};
    const batch = (name: string) => () =>
      new Promise<string>((resolve) => {
        started.push(name);
        ends[name] = () => resolve(name);
      });

    const endRead = q.begin();
    const a = q.writing(batch('a'));
    const b = q.writing(batch('b'));
    await settle();
    expect(started).toEqual(['a']); // b waits for a
    ends.a!();
    await expect(a).resolves.toBe('a');
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect(slept).toEqual([8, 8]); // each after its pause
    ends.b!();
    await expect(b).resolves.toBe('b');

    endRead();
    // An instance with no reads: both start at once, and nothing sleeps.
    const quiet = new ReadsFirst(
      8,
      () => 0,
      async () => {
        throw new Error('no pause without reads');
      },
    );
    started.length = 0;
    const c = quiet.writing(batch('c'));
    const d = quiet.writing(batch('d'));
    await settle();
    expect(started).toEqual(['c', 'd']);
    ends.c!();
    ends.d!();
    await expect(Promise.all([c, d])).resolves.toEqual(['c', 'd']);
  });

  it('lets the next write batch go when the one before it failed', async () => {
    const q = new ReadsFirst(
      8,
      () => 0,
      async () => undefined,
    );
    q.begin();
    const failed = q.writing(() => Promise.reject(new Error('deadlock')));
    const next = q.writing(() => Promise.resolve('written'));
    await expect(failed).rejects.toThrow('deadlock');
    await expect(next).resolves.toBe('written');
  });

  it('takes its pause from DECISION_YIELD_MS, 8 ms unless set', () => {
    expect(resolveConfig({}, {}).decisionYieldMs).toBe(8);
    expect(resolveConfig({}, { DECISION_YIELD_MS: '0' }).decisionYieldMs).toBe(0);
    expect(resolveConfig({}, { DECISION_YIELD_MS: '15' }).decisionYieldMs).toBe(15);
    expect(resolveConfig({}, { DECISION_YIELD_MS: 'soon' }).decisionYieldMs).toBe(8);
  });
});
