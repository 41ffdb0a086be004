// Keyboard-wedge barcode/QR reader detection by keystroke timing, for the renderer: a reader "types"
// a whole code in a burst (a few ms per key) and ends it with Enter or Tab, which no person does.
// Pure and DOM-free: the renderer feeds {key, time} from its keydown events (KeyboardEvent.key and
// event.timeStamp) and gets back the scanned text when a burst ends. Note that wedge readers on a
// Vietnamese input method mangle diacritics; the text is checked by the QR parser afterwards.

export type WedgeKey = {
  /** KeyboardEvent.key: one character, or a name such as "Enter", "Tab", "Shift" */
  key: string;
  /** milliseconds, monotonic (KeyboardEvent.timeStamp or performance.now()) */
  time: number;
};

export type WedgeOptions = {
  /** longest gap between two keys of one scan (readers: 1–20 ms; fast typists: ≥ 60 ms) */
  maxGapMs: number;
  /** shortest text counted as a scan (shorter bursts are typing or a held key) */
  minLength: number;
  /** keys that end a scan */
  terminators: readonly string[];
  /** longest mean gap of a burst: a person hitting keys fast now and then stays above it */
  maxMeanGapMs: number;
};

export const DEFAULT_WEDGE_OPTIONS: WedgeOptions = {
  maxGapMs: 50,
  minLength: 8,
  terminators: ['Enter', 'Tab'],
  maxMeanGapMs: 25,
};

export type WedgeScan = {
  text: string;
  startedAt: number;
  endedAt: number;
  meanGapMs: number;
  /** ended by a terminator key (true) or by the keys stopping (false) */
  terminated: boolean;
};

/** Modifier and navigation keys that readers send around characters and that carry no text. */
const IGNORED = new Set([
  'Shift',
  'Control',
  'Alt',
  'Meta',
  'CapsLock',
  'NumLock',
  'Dead',
  'Unidentified',
  'Process',
]);

export class WedgeDetector {
  private readonly options: WedgeOptions;
  private chars: string[] = [];
  private times: number[] = [];

  constructor(options: Partial<WedgeOptions> = {}) {
    this.options = { ...DEFAULT_WEDGE_OPTIONS, ...options };
  }

  /** True while a fast burst is under way: the renderer may hold these keys back from the focused field. */
  get bursting(): boolean {
    return this.chars.length >= 3 && this.meanGap() <= this.options.maxMeanGapMs;
  }

  private meanGap(): number {
    if (this.times.length < 2) return Number.POSITIVE_INFINITY;
    return ((this.times.at(-1) as number) - (this.times[0] as number)) / (this.times.length - 1);
  }

  private finish(terminated: boolean, endedAt: number): WedgeScan | null {
    const text = this.chars.join('');
    const mean = this.meanGap();
    const startedAt = this.times[0] ?? endedAt;
    this.chars = [];
    this.times = [];
    // Characters, not UTF-16 units: a key of the astral planes is one key.
    if ([...text].length < this.options.minLength || mean > this.options.maxMeanGapMs) return null;
    return {
      text: text.normalize('NFC'),
      startedAt,
      endedAt,
      meanGapMs: Math.round(mean * 10) / 10,
      terminated,
    };
  }

  /** Feed one keydown; returns a scan when this key completes one. */
  push(event: WedgeKey): WedgeScan | null {
    if (IGNORED.has(event.key)) return null;
    const last = this.times.at(-1);
    const gapTooLong = last !== undefined && event.time - last > this.options.maxGapMs;
    if (this.options.terminators.includes(event.key)) {
      if (gapTooLong) {
        this.chars = [];
        this.times = [];
        return null;
      }
      return this.finish(true, event.time);
    }
    if (event.key.length !== 1 && [...event.key].length !== 1) {
      // Arrow keys, F-keys: a person is editing. Drop the burst.
      this.chars = [];
      this.times = [];
      return null;
    }
    let done: WedgeScan | null = null;
    if (gapTooLong) done = this.finish(false, last as number);
    this.chars.push(event.key);
    this.times.push(event.time);
    return done;
  }

  /** Call on a timer (or blur): a burst whose keys stopped without a terminator still ends. */
  flush(now: number): WedgeScan | null {
    const last = this.times.at(-1);
    if (last === undefined || now - last <= this.options.maxGapMs) return null;
    return this.finish(false, last);
  }

  reset(): void {
    this.chars = [];
    this.times = [];
  }
}
