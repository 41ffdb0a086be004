// Intake handlers of the workstation API (issue 6 item 7). See contract/workstationIntake.ts.
// "Quét" and "Đính kèm" store the image in the encrypted store and queue its upload in the outbox in
// one transaction (nothing is lost on a crash), then recognise it in the background (QR, OCR, the
// quality gate) for the comparison panel. Reader scans (HID-POS here, keyboard wedge from the
// renderer) name a dossier within the officer's scope. Recognition suggests; the officer decides.

import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Dossier } from '../../contract/domain.js';
import type { Recognition, ScanErrorInfo, ScanRequest } from '../../contract/scan.js';
import type { Handlers } from '../../contract/workstation.js';
import {
  ATTACHMENT_ROLE_PATTERN,
  MAX_ATTACH_BYTES,
  MAX_FORM_PAGES,
  roleLabel,
  type IntakeImage,
  type IntakeInputs,
  type IntakeResult,
  type ReaderMatch,
} from '../../contract/workstationIntake.js';
import {
  assessQuality,
  compareWithDossier,
  recognizeReaderText,
  ScannerService,
  toScanErrorInfo,
  type HidBackend,
} from '../../scanner/index.js';
import type { WorkstationContext } from './context.js';
import { fail } from './errors.js';
import { preparePages, type PreparedPage } from './intakeImages.js';

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

export type IntakeMethod = keyof typeof IntakeInputs;

const ID_ROLES = new Set(['idFront', 'idBack']);

/** Codes whose detail is a Vietnamese sentence of the scanner part; others carry a device's own words. */
const VIETNAMESE_DETAIL: ReadonlySet<ScanErrorInfo['code']> = new Set([
  'qr_invalid',
  'legacy_encoding',
  'payload_too_large',
  'bad_input',
]);

function scanFailure(error: ScanErrorInfo): never {
  fail(
    error.code,
    error.detail && VIETNAMESE_DETAIL.has(error.code) ? `${error.message} (${error.detail})` : error.message,
  );
}

function checkRole(role: string): void {
  if (!ATTACHMENT_ROLE_PATTERN.test(role))
    fail(
      'validation_failed',
      'Loại ảnh không hợp lệ: chỉ nhận Ảnh cá nhân, Mặt trước, Mặt sau hoặc Trang tờ khai 1–50.',
      {
        fields: { role: 'Chọn Ảnh cá nhân, Mặt trước, Mặt sau hoặc một trang tờ khai.' },
      },
    );
}

/** The roles a document of `count` pages fills from `role` on: form pages run on, others take page 1. */
function rolesFrom(role: string, count: number): string[] {
  const m = /^formPage(\d+)$/u.exec(role);
  if (!m) return [role];
  const first = Number(m[1]);
  const out: string[] = [];
  for (let n = first; n < first + count && n <= MAX_FORM_PAGES; n++) out.push(`formPage${n}`);
  return out;
}

function maxPagesFor(role: string): number {
  const m = /^formPage(\d+)$/u.exec(role);
  return m ? MAX_FORM_PAGES - Number(m[1]) + 1 : 1;
}

/**
 * `options` undefined (a workstation built without intake settings, e.g. other parts' tests): scanners
 * start on first use and no HID readers are watched. Given (the app, the dev host): everything starts
 * now, so a reader plugged in before anyone opens the intake is already heard.
 */
export function createIntakeHandlers(
  ctx: WorkstationContext,
  options?: IntakeOptions,
): Pick<Handlers, IntakeMethod> {
  const settings: IntakeOptions = options ?? { hid: false };
  const workDir = settings.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'ws-scans-'));
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  let scannerPromise: Promise<ScannerService> | null = null;
  /** The latest reader recognition of each dossier (memory only): a source of the comparison. */
  const readerScans = new Map<string, Recognition>();
  const recognizing = new Set<string>();
  let recognitionQueue: Promise<void> = Promise.resolve();
  let closed = false;
  // The next officer at a shared desk does not inherit what the previous one's reader scanned.
  ctx.session.onChange((s) => {
    if (!s) readerScans.clear();
  });

  function scanner(): Promise<ScannerService> {
    scannerPromise ??= ScannerService.start({
      workDir,
      hub: {
        sane: {
          ...(settings.saneConfigDir ? { configDir: settings.saneConfigDir } : {}),
          ...(settings.saneExtraArgs ? { extraArgs: settings.saneExtraArgs } : {}),
        },
        escl: { urls: settings.esclUrls ?? [] },
      },
      hid: settings.hid ?? undefined,
      hidPollMs: settings.hidPollMs ?? 1000,
      ...(settings.ocrWorkers ? { ocr: { size: settings.ocrWorkers } } : {}),
    }).then((s) => {
      s.on('progress', ({ jobId, progress }) => ctx.emit({ type: 'intake.progress', jobId, progress }));
      s.on('readerAttached', (reader) => ctx.emit({ type: 'reader.attached', reader }));
      s.on('readerDetached', (reader) => ctx.emit({ type: 'reader.detached', reader }));
      s.on('readerScan', ({ result }) => {
        if (!result.ok) {
          ctx.emit({ type: 'reader.scan', result: { ok: false, error: result.error } });
          return;
        }
        try {
          ctx.emit({ type: 'reader.scan', result: { ok: true, match: lookup(result.value) } });
        } catch (err) {
          const e = err as { error?: { code: string; message: string } };
          ctx.emit({
            type: 'reader.scan',
            result: { ok: false, error: e.error ?? { code: 'internal', message: 'Không tra được hồ sơ.' } },
          });
        }
      });
      return s;
    });
    return scannerPromise;
  }
  if (options) void scanner().catch(() => undefined);

  ctx.onClose(async () => {
    closed = true;
    await recognitionQueue.catch(() => undefined);
    if (scannerPromise) await (await scannerPromise.catch(() => null))?.close();
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  });

  const unsubscribe = ctx.engine.onImageUpdated((image) =>
    ctx.emit({ type: 'intake.image', image: view(image) }),
  );
  ctx.onClose(unsubscribe);

  function view(image: IntakeImage): IntakeImage {
    return { ...image, recognizing: recognizing.has(image.id) };
  }

  /** The dossier a reader's recognition names, within the officer's scope. */
  function lookup(recognition: Recognition): ReaderMatch {
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
    readerScans.set(d.id, recognition);
    ctx.store.audit('reader.lookup', ctx.session.user()?.username ?? null, d.id, recognition.kind);
    return { dossierId: d.id, dossierNumber: d.dossierNumber, fullName: d.fullName, recognition };
  }

  /** QR, OCR and the quality gate on one stored image, in the background, one image at a time. */
  function recognizeLater(id: string, role: string, prepared: PreparedPage): void {
    if (role === 'photo') return;
    recognizing.add(id);
    recognitionQueue = recognitionQueue.then(async () => {
      if (closed) return;
      try {
        const s = await scanner();
        const r = await s.recognize({ bytes: prepared.page.bytes });
        if (closed) return;
        if (r.ok) {
          const { page: _page, quality, ...recognition } = r.value.recognition;
          ctx.store.saveRecognition(id, { recognition, error: null, quality: quality ?? null });
        } else {
          const quality = await assessQuality(prepared.page.bytes, { dpi: prepared.dpi }).catch(() => null);
          ctx.store.saveRecognition(id, {
            recognition: null,
            error: r.error.message,
            quality,
          });
        }
      } catch {
        ctx.store.saveRecognition(id, {
          recognition: null,
          error: 'Không nhận dạng được ảnh này.',
          quality: null,
        });
      } finally {
        recognizing.delete(id);
      }
      const image = ctx.store.image(id);
      if (image && !closed) ctx.emit({ type: 'intake.image', image: view(image) });
    });
  }

  /** Store prepared pages for their roles (one transaction each, FULL sync) and queue their upload. */
  function store(
    dossier: Dossier,
    role: string,
    prepared: PreparedPage[],
    source: 'scan' | 'file',
    fileName: string | null,
  ): IntakeResult {
    const user = ctx.session.requireUser();
    const roles = rolesFrom(role, prepared.length);
    const notes: string[] = [];
    if (prepared.length > roles.length) {
      notes.push(
        roles.length === 1 && !role.startsWith('formPage')
          ? `Chỉ dùng trang đầu cho ${roleLabel(role)}.`
          : `Chỉ nhận đến Trang tờ khai ${MAX_FORM_PAGES}: ${prepared.length - roles.length} trang sau bị bỏ qua.`,
      );
    }
    const images: IntakeImage[] = [];
    roles.forEach((r, i) => {
      const p = prepared[i]!;
      const id = randomUUID();
      ctx.store.recordImage(
        {
          id,
          dossierId: dossier.id,
          role: r,
          mediaType: p.mediaType,
          sha256: p.sha256,
          content: p.content,
          source,
          fileName,
        },
        user,
      );
      recognizeLater(id, r, p);
      images.push(view(ctx.store.image(id)!));
    });
    for (const image of images) ctx.emit({ type: 'intake.image', image });
    ctx.engine.kick();
    return { images, notes };
  }

  return {
    async 'scanner.devices'() {
      ctx.session.requireUser();
      const r = await (await scanner()).devices();
      if (!r.ok) scanFailure(r.error);
      return r.value;
    },

    async 'intake.scan'(input) {
      checkRole(input.role);
      const dossier = ctx.dossierInScope(input.dossierId);
      const s = await scanner();
      const request: ScanRequest = {
        resolution: input.resolution,
        colorMode: input.colorMode,
        source: input.source,
        // ID cards and the portrait fit a card-sized area; form pages are A4.
        pageSize: input.role.startsWith('formPage') ? 'A4' : 'id_card',
        ...(input.source === 'feeder' ? { maxPages: maxPagesFor(input.role) } : {}),
      };
      const result = await s.scan({
        deviceId: input.deviceId,
        request,
        ...(input.jobId ? { jobId: input.jobId } : {}),
      });
      if (!result.ok) scanFailure(result.error);
      const pages = result.value.pages;
      try {
        const prepared: PreparedPage[] = [];
        for (const page of pages.slice(0, maxPagesFor(input.role))) {
          const bytes = await readFile(page.path);
          prepared.push(...(await preparePages(bytes, { maxPages: 1 })).pages);
        }
        if (prepared.length === 0)
          fail('feeder_empty', 'Máy quét không trả về trang nào. Đặt giấy rồi quét lại.');
        return store(dossier, input.role, prepared, 'scan', null);
      } finally {
        // The pages hold personal data: once in the encrypted store they leave the disk.
        const dirs = new Set(pages.map((p) => path.dirname(p.path)));
        for (const dir of dirs) {
          if (path.resolve(dir).startsWith(path.resolve(workDir) + path.sep))
            await rm(dir, { recursive: true, force: true }).catch(() => undefined);
        }
      }
    },

    async 'intake.attach'(input) {
      checkRole(input.role);
      const dossier = ctx.dossierInScope(input.dossierId);
      const name = input.fileName.normalize('NFC');
      if (!/^[A-Za-z0-9+/]*={0,2}$/u.test(input.data))
        fail('bad_input', 'Dữ liệu tệp gửi lên không hợp lệ (không phải base64).');
      const bytes = Buffer.from(input.data, 'base64');
      if (bytes.length > MAX_ATTACH_BYTES)
        fail('payload_too_large', `Tệp quá lớn: chỉ nhận tệp tối đa ${MAX_ATTACH_BYTES / 1024 / 1024} MB.`);
      const { pages } = await preparePages(bytes, { fileName: name, maxPages: maxPagesFor(input.role) });
      return store(dossier, input.role, pages, 'file', name || null);
    },

    async 'intake.cancel'(input) {
      ctx.session.requireUser();
      return (await scanner()).cancel({ jobId: input.jobId });
    },

    async 'intake.images'(input) {
      ctx.dossierInScope(input.dossierId);
      return ctx.store.images(input.dossierId).map(view);
    },

    async 'intake.content'(input) {
      ctx.session.requireUser();
      const c = ctx.store.imageContent(input.id) ?? fail('not_found', 'Không tìm thấy ảnh.');
      ctx.dossierInScope(c.dossierId);
      return {
        id: input.id,
        mediaType: c.mediaType,
        dataUrl: `data:${c.mediaType};base64,${c.content.toString('base64')}`,
      };
    },

    async 'intake.retry'(input) {
      ctx.session.requireUser();
      const c = ctx.store.imageContent(input.id) ?? fail('not_found', 'Không tìm thấy ảnh.');
      ctx.dossierInScope(c.dossierId);
      const image = ctx.store.retryImage(input.id) ?? fail('not_found', 'Không tìm thấy ảnh.');
      ctx.engine.kick();
      return view(image);
    },

    async 'intake.compare'(input) {
      const dossier = ctx.dossierInScope(input.dossierId);
      const images = ctx.store.images(input.dossierId).filter((i) => i.recognition);
      const sources: Array<{ role: string | null; recognition: Recognition }> = [];
      const reader = readerScans.get(input.dossierId);
      if (reader) sources.push({ role: null, recognition: reader });
      // ID card first (its QR is exact), then the form pages.
      for (const i of images.sort((a, b) => Number(ID_ROLES.has(b.role)) - Number(ID_ROLES.has(a.role))))
        sources.push({ role: i.role, recognition: i.recognition! });
      const report = compareWithDossier(
        dossier,
        sources.map((s) => s.recognition),
      );
      return {
        ...report,
        sources: sources.map((s) => ({
          role: s.role,
          kind: s.recognition.kind,
          source: s.recognition.source,
        })),
      };
    },

    async 'reader.lookup'(input) {
      ctx.session.requireUser();
      let recognition: Recognition;
      try {
        recognition = recognizeReaderText(input.text);
      } catch (err) {
        const info = toScanErrorInfo(err);
        // Text without the card's "|" fields is not a card QR that went wrong, just another code.
        if (info.code === 'qr_invalid' && !input.text.includes('|'))
          fail('qr_invalid', 'Mã không phải mã QR của thẻ CCCD hay số hồ sơ (Mẫu 01).');
        scanFailure(info);
      }
      return lookup(recognition);
    },
  };
}
