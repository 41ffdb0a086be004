// The intake's devices and recognition: the scanner service (SANE, eSCL, WIA, file import, HID-POS
// readers) started on first use or at once when intake settings are given, reader scans looked up in
// the local store within the officer's scope, and recognition (QR, OCR, the quality gate) of stored
// images in the background, one image at a time, for the comparison panel. Recognition suggests; the
// officer decides.

import { mkdirSync, mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { QualityReport, Recognition, ScanErrorInfo, ScanRequest } from '../../../contract/scan.js';
import type { IntakeImage, ReaderMatch } from '../../../contract/workstationIntake.js';
import { ScannerService, type HidBackend } from '../../../scanner/index.js';
import type { WsEvent } from '../../../contract/workstation.js';
import type { Logger } from '../log.js';
import type { SessionService } from '../session.js';
import type { LocalStore } from '../store/localStore.js';
import { fail, WsFailure } from '../errors.js';
import { createDecoder, type Decoder } from './decoder.js';
import type { Compact, PreparedPage } from './images.js';

/** Scanner and reader settings for intake (devices, eSCL URLs, SANE configuration). */
export type IntakeOptions = {
  /** where scanners write pages before they are stored (deleted right after); default a temp folder */
  workDir?: string;
  /** SANE_CONFIG_DIR for scanimage (tests: resources/sane with the `test` device) */
  saneConfigDir?: string;
  /** extra scanimage arguments (tests slow the `test` device down with --read-delay) */
  saneExtraArgs?: string[];
  /** eSCL (AirScan) network scanners by URL, e.g. http://192.168.1.20/eSCL */
  esclUrls?: string[];
  /** HID-POS readers: a backend (tests inject one), false for none; default node-hid */
  hid?: HidBackend | false;
  hidPollMs?: number;
  /** OCR workers (default: one per core, at most 4) */
  ocrWorkers?: number;
};

/** What the scanning part uses of the workstation (a part of its context, so context.ts can name it). */
export type ScanningContext = {
  store: LocalStore;
  session: SessionService;
  emit: (e: WsEvent) => void;
  scope: () => string[];
  log: Logger;
};

/** What recognising one image gave: its fields, or why none, and the quality gate's verdict. */
export type RecognitionOutcome = {
  recognition: Recognition | null;
  error: string | null;
  quality: QualityReport | null;
};

/** Codes whose detail is a Vietnamese sentence of the scanner part; others carry a device's own words. */
const VIETNAMESE_DETAIL: ReadonlySet<ScanErrorInfo['code']> = new Set([
  'qr_invalid',
  'legacy_encoding',
  'payload_too_large',
  'bad_input',
]);

/** A scanner failure as the officer reads it (WsFailure with the scanner's code). */
export function scanFailure(error: ScanErrorInfo): never {
  fail(
    error.code,
    error.detail && VIETNAMESE_DETAIL.has(error.code) ? `${error.message} (${error.detail})` : error.message,
  );
}

export class IntakeScanning {
  readonly workDir: string;
  /** Decoding and recognition of untrusted files, in a worker (decoder.ts). */
  readonly decoder: Decoder;
  private readonly settings: IntakeOptions;
  private scannerPromise: Promise<ScannerService> | null = null;
  /** The latest reader recognition of each dossier (memory only): a source of the comparison. */
  private readonly readerScans = new Map<string, Recognition>();
  private readonly recognizing = new Set<string>();
  private recognitionQueue: Promise<void> = Promise.resolve();
  private closed = false;

  /**
   * `options` undefined (a workstation built without intake settings, e.g. other parts' tests): scanners
   * start on first use and no HID readers are watched. Given (the app, the dev host): everything starts
   * now, so a reader plugged in before anyone opens the intake is already heard.
   */
  constructor(
    private readonly ctx: ScanningContext,
    options?: IntakeOptions,
  ) {
    this.settings = options ?? { hid: false };
    this.decoder = createDecoder({
      log: ctx.log,
      ...(this.settings.ocrWorkers ? { ocrWorkers: this.settings.ocrWorkers } : {}),
    });
    this.workDir = this.settings.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'ws-scans-'));
    mkdirSync(this.workDir, { recursive: true, mode: 0o700 });
    // The next officer at a shared desk does not inherit what the previous one's reader scanned.
    ctx.session.onChange((s) => {
      if (!s) this.readerScans.clear();
    });
    if (options)
      void this.scanner().catch((err: unknown) => ctx.log.error({ err }, 'scanner service did not start'));
  }

  scanner(): Promise<ScannerService> {
    const s = this.settings;
    this.scannerPromise ??= ScannerService.start({
      workDir: this.workDir,
      hub: {
        sane: {
          ...(s.saneConfigDir ? { configDir: s.saneConfigDir } : {}),
          ...(s.saneExtraArgs ? { extraArgs: s.saneExtraArgs } : {}),
        },
        escl: { urls: s.esclUrls ?? [] },
      },
      hid: s.hid ?? undefined,
      hidPollMs: s.hidPollMs ?? 1000,
      log: this.ctx.log,
      ...(s.ocrWorkers ? { ocr: { size: s.ocrWorkers } } : {}),
    }).then((service) => this.listen(service));
    return this.scannerPromise;
  }

  /**
   * Quét: pages from a device, each checked and made fit for the service (compact JPEG when asked),
   * the scanner's files deleted once read (they hold personal data). Throws the scanner's failure
   * with its Vietnamese message.
   */
  async scanPrepared(input: {
    deviceId: string;
    jobId?: string;
    request: ScanRequest;
    maxPages: number;
    compact?: Compact;
  }): Promise<PreparedPage[]> {
    const s = await this.scanner();
    const result = await s.scan({
      deviceId: input.deviceId,
      request: input.request,
      ...(input.jobId ? { jobId: input.jobId } : {}),
    });
    if (!result.ok) scanFailure(result.error);
    const pages = result.value.pages;
    try {
      const prepared: PreparedPage[] = [];
      for (const page of pages.slice(0, input.maxPages)) {
        const bytes = await readFile(page.path);
        const options = { maxPages: 1, ...(input.compact ? { compact: input.compact } : {}) };
        prepared.push(...(await this.decoder.prepare(bytes, options)).pages);
      }
      if (prepared.length === 0)
        fail('feeder_empty', 'Máy quét không trả về trang nào. Đặt giấy rồi quét lại.');
      return prepared;
    } finally {
      const dirs = new Set(pages.map((p) => path.dirname(p.path)));
      for (const dir of dirs) {
        if (path.resolve(dir).startsWith(path.resolve(this.workDir) + path.sep))
          await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      }
    }
  }

  /** Scanner progress and reader events, passed on to the renderer; a reader scan names a dossier. */
  private listen(s: ScannerService): ScannerService {
    const { ctx } = this;
    s.on('progress', ({ jobId, progress }) => ctx.emit({ type: 'intake.progress', jobId, progress }));
    s.on('readerAttached', (reader) => ctx.emit({ type: 'reader.attached', reader }));
    s.on('readerDetached', (reader) => ctx.emit({ type: 'reader.detached', reader }));
    s.on('readerScan', ({ result }) => {
      if (!result.ok) {
        ctx.emit({ type: 'reader.scan', result: { ok: false, error: result.error } });
        return;
      }
      const recognition = result.value;
      try {
        ctx.emit({ type: 'reader.scan', result: { ok: true, match: this.lookup(recognition) }, recognition });
      } catch (err) {
        const error =
          err instanceof WsFailure
            ? err.error
            : { code: 'internal' as const, message: 'Không tra được hồ sơ.' };
        ctx.emit({ type: 'reader.scan', result: { ok: false, error }, recognition });
      }
    });
    return s;
  }

  /** The dossier a reader's recognition names, within the officer's scope. */
  lookup(recognition: Recognition): ReaderMatch {
    const { ctx } = this;
    const scope = ctx.scope();
    const f = recognition.fields;
    if (f.provisionalRef) return this.lookupDesk(recognition, f.provisionalRef, scope);
    const found =
      recognition.kind === 'mau01' && f.dossierNumber
        ? ctx.store.findForReader({ dossierNumber: f.dossierNumber }, scope)
        : ctx.store.findForReader(
            { idNumbers: [f.idNumber, f.oldIdNumber].filter((x): x is string => !!x) },
            scope,
          );
    const d = found[0];
    if (!d) {
      fail(
        'not_found',
        recognition.kind === 'mau01'
          ? `Không có hồ sơ số ${f.dossierNumber ?? ''} trong phạm vi của cơ quan.`
          : `Không có hồ sơ nào của số CCCD/CMND ${f.idNumber ?? ''} trong phạm vi của cơ quan.`,
      );
    }
    this.readerScans.set(d.id, recognition);
    ctx.store.audit('reader.lookup', ctx.session.user()?.username ?? null, d.id, recognition.kind);
    return { dossierId: d.id, dossierNumber: d.dossierNumber, fullName: d.fullName, recognition };
  }

  /** A mobile desk's form by its Mã tạm: the declaration, and its dossier once the service has it. */
  private lookupDesk(recognition: Recognition, ref: string, scope: readonly string[]): ReaderMatch {
    const { ctx } = this;
    const desk = ctx.store.deskByRef(ref);
    if (!desk || !scope.includes(desk.agencyCode))
      fail('not_found', `Không có tờ khai nào mang mã tạm ${ref} trên máy trạm này.`);
    ctx.store.audit('reader.lookup', ctx.session.user()?.username ?? null, desk.dossierId, 'provisionalRef');
    return {
      dossierId: desk.dossierId && ctx.store.getDossier(desk.dossierId) ? desk.dossierId : '',
      dossierNumber: desk.dossierNumber ?? desk.ref,
      fullName: desk.values.fullName,
      recognition,
      deskId: desk.id,
    };
  }

  /** What a reader last recognised for this dossier, if anything. */
  readerScan(dossierId: string): Recognition | undefined {
    return this.readerScans.get(dossierId);
  }

  /** An image as the renderer sees it: with whether its recognition is still running. */
  view(image: IntakeImage): IntakeImage {
    return { ...image, recognizing: this.recognizing.has(image.id) };
  }

  /** QR, OCR and the quality gate on one stored image, in the background, one image at a time. */
  recognizeLater(id: string, role: string, prepared: PreparedPage): void {
    if (role === 'photo') return;
    this.recognizing.add(id);
    void this.recognizeQueued(id, prepared, (r) => this.ctx.store.saveRecognition(id, r)).then(() => {
      const image = this.ctx.store.image(id);
      if (image && !this.closed) this.ctx.emit({ type: 'intake.image', image: this.view(image) });
    });
  }

  /** Whether recognition of this image id is queued or running. */
  isRecognizing(id: string): boolean {
    return this.recognizing.has(id);
  }

  /**
   * The same recognition for an image kept elsewhere (the mobile desk's): queued behind the others,
   * `save` keeps the result; resolves once saved (or at once when the workstation is closing).
   */
  recognizeQueued(id: string, prepared: PreparedPage, save: (r: RecognitionOutcome) => void): Promise<void> {
    this.recognizing.add(id);
    const run = this.recognitionQueue.then(async () => {
      if (this.closed) {
        this.recognizing.delete(id);
        return;
      }
      let r: RecognitionOutcome;
      try {
        r = await this.recognize(prepared);
      } finally {
        // done before `save`, so what it tells the screens says recognition is over
        this.recognizing.delete(id);
      }
      if (!this.closed) save(r);
    });
    this.recognitionQueue = run.catch(() => undefined);
    return this.recognitionQueue;
  }

  private async recognize(prepared: PreparedPage): Promise<RecognitionOutcome> {
    try {
      return await this.decoder.recognize(prepared.page.bytes, prepared.dpi);
    } catch (err) {
      this.ctx.log.error({ err }, 'recognition failed');
      return { recognition: null, error: 'Không nhận dạng được ảnh này.', quality: null };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.recognitionQueue.catch(() => undefined);
    await this.decoder.close();
    if (this.scannerPromise) await (await this.scannerPromise.catch(() => null))?.close();
    await rm(this.workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
