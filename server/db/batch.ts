// Groups calls that arrive together into one database round trip. On the 2-core machine a round trip
// costs both processes more CPU than most statements, so when many officers decide at once their
// reads go as one statement and their writes as one transaction. A batch leaves at the end of the
// event loop's turn (setImmediate), once the I/O already read has been handled; while `inFlight`
// batches are still running, calls wait and leave together when one finishes, so a busy service
// makes fewer, larger batches instead of more transactions competing for the same cores and pages.

export type BatchRunner<I, O> = (inputs: readonly I[]) => Promise<readonly O[]>;

type Waiting<I, O> = { input: I; resolve: (out: O) => void; reject: (err: unknown) => void };

export type BatchOptions = {
  /** the most inputs in one batch (64) */
  max?: number;
  /** the most batches running at once (unbounded) */
  inFlight?: number;
};

export class Batcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private scheduled = false;
  private running = 0;
  private readonly max: number;
  private readonly inFlight: number;

  /** `run` answers the inputs in order, one output each. */
  constructor(
    private readonly run: BatchRunner<I, O>,
    options: BatchOptions = {},
  ) {
    this.max = options.max ?? 64;
    this.inFlight = options.inFlight ?? Number.POSITIVE_INFINITY;
  }

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0 || this.running >= this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.running >= this.inFlight) return;
    const batch = this.waiting.splice(0, this.max);
    if (batch.length === 0) return;
    this.running += 1;
    this.schedule();
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
      )
      .finally(() => {
        this.running -= 1;
        this.schedule();
      });
  }
}
