// Untrusted files off the main process: every image and PDF an officer attaches or a scanner returns is
// decoded, converted and recognised in a worker (decoderWorker.ts), behind one interface, `Decoder`.
// The worker is a Node worker thread (it runs the same in Electron's main process and in Node) with a
// heap limit; it starts on first use, and a job that runs past its time, or a worker that dies (out of
// memory, a crash in a decoder), fails with a Vietnamese sentence and the next job gets a new worker.
// Limits before any decoding: the bytes here (MAX_DECODE_BYTES); pixels and pages in the worker
// (scanner/image/load.ts: 50 Mpx, 50 PDF pages, from headers and the page tree).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { QualityReport, Recognition } from '../../../contract/scan.js';
import { fail, WsFailure } from '../errors.js';
import type { Logger } from '../log.js';
import type { DecoderJob, DecoderReply } from './decoderProtocol.js';
import type { Compact, PreparedPage } from './images.js';

/** Larger files are refused unread (an A4 page at 600 dpi as PNG is ~25 MB; the service takes 10 MB). */
export const MAX_DECODE_BYTES = 64 * 1024 * 1024;

export type RecognizeOutcome = {
  recognition: Recognition | null;
  error: string | null;
  quality: QualityReport | null;
};

export type Decoder = {
  /** Checks and prepares the pages of a file or scan (intake/images.ts), in the worker. */
  prepare(
    bytes: Buffer,
    options: { fileName?: string; maxPages: number; compact?: Compact },
  ): Promise<{ pages: PreparedPage[]; totalPages: number }>;
  /** QR, OCR and the quality gate on one page, in the worker. */
  recognize(bytes: Buffer, dpi: number | null): Promise<RecognizeOutcome>;
  /** Ends the worker now, as the system would (jobs running fail; the next job starts a new one). */
  terminate(): Promise<void>;
  close(): Promise<void>;
};

export type DecoderOptions = {
  log: Logger;
  /** OCR threads in the worker (default: tesseract.js's pool default) */
  ocrWorkers?: number;
  /** a job running longer is stopped with its worker (default 120 s: OCR of a 50-page PDF) */
  jobTimeoutMs?: number;
  /** the worker's V8 heap (default 1024 MB; images' pixels live outside it, bounded by the pixel limit) */
  heapMb?: number;
};

/**
 * The worker's code: the bundle's decoder.cjs beside main.cjs (Electron), or the TypeScript source,
 * loaded through tsx's loader registered inside the worker (development, tests).
 */
function workerEntry(): { code: string; eval: boolean } {
  const url = (import.meta as { url?: string }).url;
  if (url) {
    // tsx's ESM API (its package exports map, import condition): the worker registers it first.
    const pkgFile = createRequire(url).resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
      exports: Record<string, { import: { default: string } }>;
    };
    const api = pkg.exports['./esm/api']?.import.default ?? './dist/esm/api/index.mjs';
    const tsx = pathToFileURL(path.join(path.dirname(pkgFile), api)).href;
    const source = new URL('./decoderWorker.ts', url).href;
    return {
      code: `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`,
      eval: true,
    };
  }
  return { code: path.join(__dirname, 'decoder.cjs'), eval: false };
}

type Pending = { resolve: (r: DecoderReply) => void; reject: (e: unknown) => void; timer: NodeJS.Timeout };

const DIED =
  'Tệp này làm bộ đọc tệp dừng lại (tệp quá lớn, quá phức tạp hoặc bị hỏng): chọn tệp khác, hoặc quét lại giấy tờ.';

export function createDecoder(options: DecoderOptions): Decoder {
  const { log } = options;
  const timeoutMs = options.jobTimeoutMs ?? 120_000;
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (why: string): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new WsFailure({ code: 'bad_input', message: why }));
      pending.delete(id);
    }
  };

  const start = (): Worker => {
    if (worker) return worker;
    const entry = workerEntry();
    if (!entry.eval && !existsSync(entry.code)) throw new Error(`decoder worker missing: ${entry.code}`);
    const w = new Worker(entry.code, {
      eval: entry.eval,
      workerData: { ocrWorkers: options.ocrWorkers },
      resourceLimits: { maxOldGenerationSizeMb: options.heapMb ?? 1024 },
      stdout: false,
      stderr: false,
    });
    w.unref();
    w.on('message', (reply: DecoderReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      clearTimeout(p.timer);
      p.resolve(reply);
    });
    w.on('error', (err) => log.error({ err }, 'decoder worker failed'));
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      if (pending.size > 0) {
        log.error({ code, jobs: pending.size }, 'decoder worker ended with jobs running');
        failAll(DIED);
      }
    });
    worker = w;
    return w;
  };

  const send = <K extends DecoderJob['kind']>(
    job: Omit<Extract<DecoderJob, { kind: K }>, 'id'>,
  ): Promise<Extract<DecoderReply, { ok: true; kind: K }>> => {
    const w = start();
    const id = nextId++;
    return new Promise<DecoderReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        log.error({ kind: job.kind, ms: timeoutMs }, 'decoder job ran past its time: worker stopped');
        pending.delete(id);
        reject(new WsFailure({ code: 'bad_input', message: DIED }));
        void w.terminate();
      }, timeoutMs);
      timer.unref();
      pending.set(id, { resolve, reject, timer });
      w.postMessage({ ...job, id });
    }).then((reply) => {
      if (!reply.ok) {
        if (reply.detail) log.error({ kind: job.kind, detail: reply.detail }, 'decoder job failed');
        throw new WsFailure(reply.error);
      }
      return reply as Extract<DecoderReply, { ok: true; kind: K }>;
    });
  };

  const checkSize = (bytes: Buffer): void => {
    if (bytes.length > MAX_DECODE_BYTES)
      fail(
        'payload_too_large',
        `Tệp nặng ${Math.round(bytes.length / 1048576)} MB: chỉ đọc tệp tối đa ${MAX_DECODE_BYTES / 1048576} MB.`,
      );
  };

  return {
    async prepare(bytes, o) {
      checkSize(bytes);
      const reply = await send<'prepare'>({
        kind: 'prepare',
        bytes,
        maxPages: o.maxPages,
        ...(o.fileName ? { fileName: o.fileName } : {}),
        ...(o.compact ? { compact: o.compact } : {}),
      });
      const pages: PreparedPage[] = reply.pages.map((p) => ({
        content: Buffer.from(p.content),
        mediaType: p.mediaType,
        sha256: p.sha256,
        width: p.width,
        height: p.height,
        dpi: p.dpi,
        page: {
          index: p.index,
          bytes: Buffer.from(p.pageBytes),
          width: p.width,
          height: p.height,
          dpi: p.dpi,
        },
      }));
      return { pages, totalPages: reply.totalPages };
    },
    async recognize(bytes, dpi) {
      checkSize(bytes);
      const r = await send<'recognize'>({ kind: 'recognize', bytes, dpi });
      return { recognition: r.recognition ?? null, error: r.error ?? null, quality: r.quality };
    },
    async terminate() {
      const w = worker;
      worker = null;
      if (w) {
        failAll(DIED);
        await w.terminate();
      }
    },
    async close() {
      const w = worker;
      if (!w) return;
      await send<'close'>({ kind: 'close' }).catch(() => undefined);
      worker = null;
      await w.terminate();
    },
  };
}
