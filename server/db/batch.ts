// Groups calls that arrive together into one database round trip. On the 2-core machine a round trip
// costs both processes more CPU than most statements, so when many officers decide at once their
// reads go as one statement and their writes as one transaction. A call waits at most one turn of
// the event loop: the batch leaves when the I/O already read has been handled (setImmediate).

export type BatchRunner<I, O> = (inputs: readonly I[]) => Promise<readonly O[]>;

type Waiting<I, O> = { input: I; resolve: (out: O) => void; reject: (err: unknown) => void };

export class Batcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private scheduled = false;

  /** `run` answers the inputs in order, one output each; `max` bounds a batch. */
  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly max = 64,
  ) {}

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.waiting.splice(0, this.max);
    this.scheduled = this.waiting.length > 0;
    if (this.scheduled) setImmediate(() => this.flush());
    const inputs = batch.map((w) => w.input);
    Promise.resolve()
      .then(() => this.run(inputs))
      .then(
        (outs) => {
          if (outs.length !== batch.length) {
            const err = new Error(`batch answered ${outs.length} of ${batch.length} inputs`);
            for (const w of batch) w.reject(err);
            return;
          }
          batch.forEach((w, i) => w.resolve(outs[i]!));
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      );
  }
}
