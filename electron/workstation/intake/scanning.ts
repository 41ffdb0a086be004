// The intake's devices and recognition: the scanner service (SANE, eSCL, WIA, file import, HID-POS
// readers) started on first use or at once when intake settings are given, reader scans looked up in
// the local store within the officer's scope, and recognition (QR, OCR, the quality gate) of stored
// images in the background, one image at a time, for the comparison panel. Recognition suggests; the
// officer decides.

import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Recognition } from '../../../contract/scan.js';
import type { IntakeImage, ReaderMatch } from '../../../contract/workstationIntake.js';
import { ScannerService, type HidBackend } from '../../../scanner/index.js';
import type { WorkstationContext } from '../context.js';
import { fail, WsFailure } from '../errors.js';
import { createDecoder, type Decoder } from './decoder.js';
import type { PreparedPage } from './images.js';

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
    private readonly ctx: WorkstationContext,
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
      try {
        ctx.emit({ type: 'reader.scan', result: { ok: true, match: this.lookup(result.value) } });
      } catch (err) {
        const error =
          err instanceof WsFailure
            ? err.error
            : { code: 'internal' as const, message: 'Không tra được hồ sơ.' };
        ctx.emit({ type: 'reader.scan', result: { ok: false, error } });
      }
    });
    return s;
  }

  /** The dossier a reader's recognition names, within the officer's scope. */
  lookup(recognition: Recognition): ReaderMatch {
    const { ctx } = this;
    const scope = ctx.scope();
    const f = recognition.fields;
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
    this.recognitionQueue = this.recognitionQueue.then(async () => {
      if (this.closed) return;
      await this.recognize(id, prepared);
      const image = this.ctx.store.image(id);
      if (image && !this.closed) this.ctx.emit({ type: 'intake.image', image: this.view(image) });
    });
  }

  private async recognize(id: string, prepared: PreparedPage): Promise<void> {
    const { store } = this.ctx;
    try {
      const r = await this.decoder.recognize(prepared.page.bytes, prepared.dpi);
      if (this.closed) return;
      store.saveRecognition(id, {
        recognition: r.recognition,
        error: r.recognition ? null : r.error,
        quality: r.quality,
      });
    } catch (err) {
      this.ctx.log.error({ err, image: id }, 'recognition failed');
      store.saveRecognition(id, { recognition: null, error: 'Không nhận dạng được ảnh này.', quality: null });
    } finally {
      this.recognizing.delete(id);
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
