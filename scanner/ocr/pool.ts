// A pool of tesseract.js workers with Vietnamese data shipped with the app (never downloaded): sized to
// the machine, started once, reused for every page. Without langPath tesseract.js fetches from a CDN
// and, offline, never resolves — so the path is always set and creation has a timeout.
//
// The model is tessdata_fast's `vie` (resources/tessdata, Apache-2.0, 0.4 MB: the LSTM Debian's
// tesseract-ocr-vie ships), not the npm package's best_int (1.6 MB of LSTM weights): on the corpus it
// reads Mẫu 01 and cards as well or better and about 1.6× faster (docs/scanner.md, "Why the plain
// pipeline was ahead"). SCANNER_LANG_PATH, or SCANNER_OCR_MODEL=best_int, chooses another.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { createWorker, PSM, type Worker } from 'tesseract.js';
import { ScanError } from '../errors.js';
import { mark } from '../trace.js';

// In the CommonJS bundle of Electron's main, esbuild leaves import.meta empty: fall back to the bundle's path.
const require = createRequire((import.meta as { url?: string }).url ?? __filename);

export type OcrBox = { x0: number; y0: number; x1: number; y1: number };
export type OcrWord = { text: string; confidence: number; bbox: OcrBox };

export type OcrLine = {
  text: string;
  /** 0..100, tesseract's own confidence */
  confidence: number;
  bbox: OcrBox;
  /** the line's words with their own confidences (absent from engines that do not give them) */
  words?: OcrWord[];
};

export type OcrPage = { text: string; confidence: number; lines: OcrLine[] };

export type OcrRequest = {
  image: Buffer;
  /** read only this region (tesseract.js `rectangle`) */
  rectangle?: { left: number; top: number; width: number; height: number };
  /** the page's resolution, so tesseract does not guess */
  dpi?: number;
  /** page segmentation: 'auto' (a page, default), 'block' (one uniform block), 'line' (one line) */
  layout?: 'auto' | 'block' | 'line';
  /** only these characters (tessedit_char_whitelist), e.g. digits for a numeric field's zone */
  whitelist?: string;
};

/** Anything that turns an image into lines of text: the pool here, or native tesseract in the bench. */
export type OcrEngine = { recognize(request: OcrRequest): Promise<OcrPage> };

/** The checkout's resources/ (scanner/ocr → ../../resources), or a packaged app's resources folder. */
function resourcesDir(): string | null {
  const url = (import.meta as { url?: string }).url;
  if (typeof url === 'string' && url.startsWith('file:'))
    return path.resolve(path.dirname(fileURLToPath(url)), '..', '..', 'resources');
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  return packaged ?? path.resolve('resources');
}

/**
 * The folder holding vie.traineddata(.gz): SCANNER_LANG_PATH, else resources/tessdata (tessdata_fast),
 * else the npm package's best_int (also when SCANNER_OCR_MODEL=best_int).
 */
export function defaultLangPath(): string {
  const fromEnv = process.env.SCANNER_LANG_PATH;
  if (fromEnv) return fromEnv;
  const fast = resourcesDir();
  if (process.env.SCANNER_OCR_MODEL !== 'best_int' && fast) {
    const dir = path.join(fast, 'tessdata');
    if (existsSync(path.join(dir, 'vie.traineddata.gz'))) return dir;
  }
  const pkg = path.dirname(require.resolve('@tesseract.js-data/vie/package.json'));
  return path.join(pkg, '4.0.0_best_int');
}

export type OcrPoolOptions = {
  size?: number;
  langPath?: string;
  /** worker start-up limit (default 30 s) */
  startTimeoutMs?: number;
};

/** One worker per core, at most 4 (each holds ~100 MB of model), at least 1. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScanError('ocr_unavailable', `${what}: quá ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A 900 × 48 line of letter-like strokes (deterministic): recognising it runs the whole LSTM once, so
 * the first page does not pay for the recogniser's first use (~0.4 s of CPU measured on a Mẫu 01
 * page; a plain bar, the earlier warm-up, did not take it). In a cold command this happens on the
 * worker's thread while the main thread decodes the image and looks for a QR.
 */
const WARM_UP_PGM = (() => {
  const w = 900;
  const h = 48;
  const pixels = Buffer.alloc(w * h, 255);
  let x = 10;
  let k = 7;
  while (x < w - 20) {
    k = (k * 1103515245 + 12345) % 2147483648;
    const letter = 3 + (k % 9);
    const top = 12 + ((k >> 8) % 8);
    for (let y = top; y < 36; y++) pixels.fill(0, y * w + x, y * w + x + 2);
    for (let y = top; y < top + 2; y++) pixels.fill(0, y * w + x, y * w + x + letter);
    x += letter + 4 + ((k >> 4) % 3 === 0 ? 10 : 0);
  }
  return Buffer.concat([Buffer.from(`P5\n${w} ${h}\n255\n`, 'ascii'), pixels]);
})();

const PAGE_SEGMENTATION = { auto: PSM.AUTO, block: PSM.SINGLE_BLOCK, line: PSM.SINGLE_LINE } as const;

export class OcrPool implements OcrEngine {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<(worker: Worker) => void> = [];
  private closed = false;

  private constructor(size: number) {
    this.size = size;
  }

  static async start(options: OcrPoolOptions = {}): Promise<OcrPool> {
    const langPath = options.langPath ?? defaultLangPath();
    if (
      !existsSync(path.join(langPath, 'vie.traineddata.gz')) &&
      !existsSync(path.join(langPath, 'vie.traineddata'))
    ) {
      throw new ScanError('ocr_unavailable', `Thiếu tệp vie.traineddata trong ${langPath}`);
    }
    const gzip = existsSync(path.join(langPath, 'vie.traineddata.gz'));
    const pool = new OcrPool(options.size ?? defaultPoolSize());
    const start = async (): Promise<Worker> => {
      const worker = await withTimeout(
        createWorker('vie', 1, { langPath, gzip, cacheMethod: 'none' }),
        options.startTimeoutMs ?? 30_000,
        'Khởi động OCR',
      );
      mark('OCR worker: WebAssembly and model loaded');
      await worker.setParameters({ tessedit_pageseg_mode: PSM.SINGLE_LINE, preserve_interword_spaces: '1' });
      // The first recognition in a worker pays for the recogniser's set-up: do it now on one line of
      // strokes, so the first officer's page is as fast as the rest.
      await worker.recognize(WARM_UP_PGM);
      mark('OCR worker: warmed up');
      return worker;
    };
    try {
      const workers = await Promise.all(Array.from({ length: pool.size }, start));
      pool.workers.push(...workers);
      pool.idle.push(...workers);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  private acquire(): Promise<Worker> {
    if (this.closed) return Promise.reject(new ScanError('ocr_unavailable', 'Bộ OCR đã đóng.'));
    const worker = this.idle.pop();
    if (worker) return Promise.resolve(worker);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }

  async recognize(request: OcrRequest): Promise<OcrPage> {
    const worker = await this.acquire();
    try {
      // Every request states all of its settings: a worker keeps what the previous request set.
      await worker.setParameters({
        user_defined_dpi: request.dpi ? String(request.dpi) : '',
        tessedit_pageseg_mode: PAGE_SEGMENTATION[request.layout ?? 'auto'],
        tessedit_char_whitelist: request.whitelist ?? '',
      });
      const result = await worker.recognize(
        request.image,
        request.rectangle ? { rectangle: request.rectangle } : {},
        { text: true, blocks: true },
      );
      const lines: OcrLine[] = [];
      for (const block of result.data.blocks ?? []) {
        for (const paragraph of block.paragraphs) {
          for (const line of paragraph.lines) {
            lines.push({
              text: line.text.normalize('NFC').trim(),
              confidence: line.confidence,
              bbox: line.bbox,
              words: line.words.map((w) => ({
                text: w.text.normalize('NFC'),
                confidence: w.confidence,
                bbox: w.bbox,
              })),
            });
          }
        }
      }
      return { text: result.data.text.normalize('NFC'), confidence: result.data.confidence, lines };
    } finally {
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.workers.splice(0);
    this.idle.splice(0);
    await Promise.all(all.map((w) => w.terminate().catch(() => undefined)));
  }
}

/**
 * An OcrEngine that starts its pool on first use: QR-only documents (an ID card's QR) never pay for
 * the workers. close() is safe whether or not the pool started.
 */
export class LazyOcr implements OcrEngine {
  private pool: Promise<OcrPool> | null = null;
  private readonly options: OcrPoolOptions;

  constructor(options: OcrPoolOptions = {}) {
    this.options = options;
  }

  get started(): boolean {
    return this.pool !== null;
  }

  /**
   * Start the workers now without waiting for them: a command that will read text starts them while
   * it decodes the image and searches the QR (a worker takes ~0.3 s to load its model).
   */
  prepare(): void {
    this.pool ??= OcrPool.start(this.options);
    // A failure to start is reported by the first recognize().
    this.pool.catch(() => undefined);
  }

  async recognize(request: OcrRequest): Promise<OcrPage> {
    this.pool ??= OcrPool.start(this.options);
    return (await this.pool).recognize(request);
  }

  async close(): Promise<void> {
    if (this.pool) await (await this.pool.catch(() => null))?.close();
    this.pool = null;
  }
}
