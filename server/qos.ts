// Searches first. An officer at the counter waits for the dossier list and for every search; a desk
// draining its queue after days offline sends its decisions in the background and nobody watches
// each one. On the machines they share (the service's cores, PostgreSQL's cores and its WAL), a
// burst of queued decisions took the time those reads need: on the 2-core test machine a search's
// p95 went from about 7 ms to 17–18 ms while 32 desks drained their queues.
//
// While an officer's read is running in this instance, or ended less than READ_QUIET_MS ago, write
// batches of decisions go one at a time (two may run at once otherwise, decisions.ts), and each waits
// before it starts, holding no connection and no lock: as long as the last write batch took, at least
// `decisionYieldMs` (config, DECISION_YIELD_MS; 0 switches both off) and at most MAX_PAUSE_MS. The
// writes so keep about half of the time while reads go on, whatever the machine and the size of the
// database (a fixed 8 ms was enough at 200,000 dossiers, not at 1M; with two batches in flight, each
// after its pause, one was nearly always running). The decisions that arrive meanwhile queue for the
// next batch, so a burst leaves in fewer, larger transactions and the reads get the cores in between;
// with no reads going on nothing waits. A batch pauses once, and no decision is refused or reordered
// for it.
// Measured figures: docs/deploy-service.md, "Fifth round" and "Sixth round".
//
// The count is per instance: with several instances each one favours the reads it serves.

/** How long after the last read ended reads still count as going on (they come in a stream). */
export const READ_QUIET_MS = 50;

/** The longest pause of a write batch (a batch slowed by a lock wait does not stall the next ones). */
export const MAX_PAUSE_MS = 50;

export class ReadsFirst {
  private running = 0;
  private lastEnded = Number.NEGATIVE_INFINITY;
  private lastWriteMs = 0;
  /** Settles when the last write batch that took its turn (reads going on) has ended. */
  private lastTurn: Promise<void> = Promise.resolve();

  constructor(
    /** the pause of a write batch while reads go on, ms (0: never pause) */
    readonly yieldMs: number,
    private readonly clock: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise<void>((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Marks a read as running; call what it returns once it has ended (answered or failed). */
  begin(): () => void {
    this.running += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.running -= 1;
      this.lastEnded = this.clock();
    };
  }

  /** Reads running now. */
  get reading(): number {
    return this.running;
  }

  /** An officer's read is running or ended less than READ_QUIET_MS ago. */
  readsGoingOn(): boolean {
    return this.running > 0 || this.clock() - this.lastEnded < READ_QUIET_MS;
  }

  /** A write batch took `ms`, from the end of its pause to its answer. */
  wrote(ms: number): void {
    this.lastWriteMs = ms;
  }

  /**
   * How long a write batch starting now should wait first: while reads go on, as long as the last
   * write batch took (so the writes keep at most about half of the time, on any machine and any
   * size of database), at least yieldMs and at most MAX_PAUSE_MS; else 0.
   */
  pauseBeforeWrites(): number {
    if (!(this.yieldMs > 0 && this.readsGoingOn())) return 0;
    return Math.min(MAX_PAUSE_MS, Math.max(this.yieldMs, this.lastWriteMs));
  }

  /** Waits pauseBeforeWrites() (resolves at once when it is 0). */
  async beforeWrites(): Promise<void> {
    const ms = this.pauseBeforeWrites();
    if (ms > 0) await this.sleep(ms);
  }

  /**
   * Runs a write batch and keeps how long it took for the next pause. While reads go on it first
   * waits for the write batch before it to end (one at a time), then for its pause.
   */
  async writing<T>(work: () => Promise<T>): Promise<T> {
    if (this.pauseBeforeWrites() === 0) return await this.timed(work);
    const before = this.lastTurn;
    let release!: () => void;
    this.lastTurn = new Promise<void>((resolve) => (release = resolve));
    try {
      await before;
      await this.beforeWrites();
      return await this.timed(work);
    } finally {
      release();
    }
  }

  private async timed<T>(work: () => Promise<T>): Promise<T> {
    const t0 = this.clock();
    try {
      return await work();
    } finally {
      this.wrote(this.clock() - t0);
    }
  }
}
