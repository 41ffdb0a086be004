import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../server/db/batch.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('Batcher', () => {
  it('runs the calls made in one turn as one batch and answers each caller with its own output', async () => {
    const runs: number[][] = [];
    const b = new Batcher<number, string>(async (xs) => {
      runs.push([...xs]);
      return xs.map((x) => `#${x}`);
    });
    const answers = await Promise.all([1, 2, 3].map((x) => b.add(x)));
    expect(answers).toEqual(['#1', '#2', '#3']);
    expect(runs).toEqual([[1, 2, 3]]);
    // A call in a later turn goes in a batch of its own.
    expect(await b.add(4)).toBe('#4');
    expect(runs).toEqual([[1, 2, 3], [4]]);
  });

  it('splits a turn larger than max into batches of at most max, in order', async () => {
    const runs: number[][] = [];
    const b = new Batcher<number, number>(
      async (xs) => {
        runs.push([...xs]);
        await turn();
        return xs.map((x) => x * 10);
      },
      { max: 4 },
    );
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => b.add(i)));
    expect(answers).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(runs).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it('with inFlight 1, calls made while a batch runs wait and leave together when it finishes', async () => {
    const runs: number[][] = [];
    let finish!: () => void;
    const b = new Batcher<number, number>(
      async (xs) => {
        runs.push([...xs]);
        if (runs.length === 1) await new Promise<void>((r) => (finish = r));
        return xs;
      },
      { inFlight: 1 },
    );
    const first = b.add(1);
    await turn();
    const later = [b.add(2), b.add(3)];
    await turn();
    await turn();
    const fourth = b.add(4);
    await turn();
    expect(runs).toEqual([[1]]);
    finish();
    expect(await Promise.all([first, ...later, fourth])).toEqual([1, 2, 3, 4]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it('a failed run rejects every caller of that batch and no other', async () => {
    let fail = true;
    const b = new Batcher<number, number>(async (xs) => {
      if (fail) throw new Error('database gone');
      return xs;
    });
    const failed = await Promise.allSettled([b.add(1), b.add(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason.message).toBe('database gone');
    fail = false;
    expect(await b.add(3)).toBe(3);
  });

  it('a run that answers the wrong number of outputs rejects its callers instead of mixing answers', async () => {
    const b = new Batcher<number, number>(async (xs) => xs.slice(1));
    const out = await Promise.allSettled([b.add(1), b.add(2)]);
    expect(out.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((out[1] as PromiseRejectedResult).reason.message).toMatch(/answered 1 of 2/);
  });
});
