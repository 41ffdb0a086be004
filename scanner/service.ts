// One object for the workstation's main process: scanners, readers, recognition and comparison
// behind JSON-serialisable calls that return errors as values ({ok: false, error}), and events for
// progress, pages and readers. The workstation's IPC dispatcher can expose these methods as they are.

import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type {
  ComparisonReport,
  Recognition,
  ReaderDevice,
  ScanErrorInfo,
  ScanProgress,
  ScanRequest,
  ScannedPage,
  ScannerCapabilities,
  ScannerDevice,
} from '../contract/scan.js';
import { ScannerHub, defaultDrivers, type HubOptions } from './devices/hub.js';
import type { ScannerLog } from './devices/types.js';
import { toScanErrorInfo } from './errors.js';
import { HidReaderWatcher, nodeHidBackend, type HidBackend } from './hid/hidPos.js';
import { compareWithDossier, type DossierFacts } from './match.js';
import { LazyOcr, type OcrPoolOptions } from './ocr/pool.js';
import { recognizeDocument, recognizeReaderText, type PageRecognition } from './recognize.js';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ScanErrorInfo };

export type ScannerServiceOptions = {
  /** where scanned pages are written (one sub-folder per scan) */
  workDir: string;
  hub?: HubOptions;
  /** HID backend for HID-POS readers; false to run without readers; default node-hid */
  hid?: HidBackend | false;
  hidPollMs?: number;
  ocr?: OcrPoolOptions;
  /** what was skipped and carried on without (pino's warn: the workstation's masked log) */
  log?: ScannerLog;
};

export type ScannerServiceEvents = {
  progress: [{ jobId: string; progress: ScanProgress }];
  page: [{ jobId: string; page: ScannedPage }];
  readerAttached: [ReaderDevice];
  readerDetached: [ReaderDevice];
  /** a reader scanned an ID card QR or a form's dossier number (or something refused, as error) */
  readerScan: [{ readerId: string; result: Result<Recognition> }];
};

async function attempt<T>(fn: () => Promise<T> | T): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error: toScanErrorInfo(error) };
  }
}

export class ScannerService extends EventEmitter<ScannerServiceEvents> {
  private readonly hub: ScannerHub;
  private readonly ocr: LazyOcr;
  private readonly workDir: string;
  private readonly jobs = new Map<string, AbortController>();
  private watcher: HidReaderWatcher | null = null;

  private constructor(options: ScannerServiceOptions) {
    super();
    const hub = { ...(options.log ? { log: options.log } : {}), ...options.hub };
    this.hub = new ScannerHub(defaultDrivers(hub), options.log);
    this.ocr = new LazyOcr(options.ocr);
    this.workDir = options.workDir;
  }

  static async start(options: ScannerServiceOptions): Promise<ScannerService> {
    const service = new ScannerService(options);
    if (options.hid !== false) {
      try {
        const backend = options.hid ?? (await nodeHidBackend());
        const watcher = new HidReaderWatcher(backend, { pollMs: options.hidPollMs ?? 1000 });
        watcher.on('attached', (r) => service.emit('readerAttached', r));
        watcher.on('detached', (r) => service.emit('readerDetached', r));
        watcher.on('scan', (s) => {
          let result: Result<Recognition>;
          try {
            result = { ok: true, value: recognizeReaderText(s.text) };
          } catch (error) {
            result = { ok: false, error: toScanErrorInfo(error) };
          }
          service.emit('readerScan', { readerId: s.readerId, result });
        });
        watcher.on('error', ({ reader, error }) =>
          service.emit('readerScan', { readerId: reader.id, result: { ok: false, error } }),
        );
        await watcher.start();
        service.watcher = watcher;
      } catch (err) {
        // node-hid unavailable (no libusb): scanners and files still work, readers are absent
        options.log?.warn({ err }, 'HID readers unavailable');
      }
    }
    return service;
  }

  devices(): Promise<Result<{ scanners: ScannerDevice[]; readers: ReaderDevice[] }>> {
    return attempt(async () => ({ scanners: await this.hub.list(), readers: this.watcher?.readers ?? [] }));
  }

  capabilities(input: { deviceId: string }): Promise<Result<ScannerCapabilities>> {
    return attempt(() => this.hub.capabilities(input.deviceId));
  }

  /** Starts a scan; `jobId` (given or generated) identifies its events and cancels it. */
  scan(input: {
    deviceId: string;
    request: ScanRequest;
    jobId?: string;
  }): Promise<Result<{ jobId: string; pages: ScannedPage[] }>> {
    const jobId = input.jobId ?? randomUUID();
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    return attempt(async () => {
      try {
        const pages = await this.hub.scan(input.deviceId, input.request, {
          outDir: this.workDir,
          signal: controller.signal,
          onProgress: (progress) => this.emit('progress', { jobId, progress }),
          onPage: (page) => this.emit('page', { jobId, page }),
        });
        return { jobId, pages };
      } finally {
        this.jobs.delete(jobId);
      }
    });
  }

  /** Look for readers plugged in or out now (the watcher also does it every second). */
  async pollReaders(): Promise<void> {
    await this.watcher?.poll();
  }

  cancel(input: { jobId: string }): { cancelled: boolean } {
    const controller = this.jobs.get(input.jobId);
    controller?.abort();
    return { cancelled: controller !== undefined };
  }

  /** An image or PDF (a scanned page's path, or an attached file's bytes). */
  recognize(
    input: { path: string } | { bytes: Uint8Array },
  ): Promise<Result<{ recognition: PageRecognition; pages: PageRecognition[] }>> {
    return attempt(() => recognizeDocument('path' in input ? input.path : input.bytes, { ocr: this.ocr }));
  }

  recognizeReaderText(input: { text: string }): Promise<Result<Recognition>> {
    return attempt(() => recognizeReaderText(input.text));
  }

  compare(input: { dossier: DossierFacts; recognitions: Recognition[] }): ComparisonReport {
    return compareWithDossier(input.dossier, input.recognitions);
  }

  async close(): Promise<void> {
    for (const c of this.jobs.values()) c.abort();
    await this.watcher?.stop();
    await this.ocr.close();
  }
}
