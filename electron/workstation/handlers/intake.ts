// The intake methods of the workstation API (contract/workstationIntake.ts). "Quét" and "Đính kèm"
// store the image in the encrypted store and queue its upload in the outbox in one transaction
// (nothing is lost on a crash), then recognise it in the background (../intake/scanning.ts) for the
// comparison panel. Reader scans (HID-POS here, keyboard wedge from the renderer) name a dossier
// within the officer's scope.

import { randomUUID } from 'node:crypto';
import type { Dossier } from '../../../contract/domain.js';
import type { Recognition } from '../../../contract/scan.js';
import type { Handlers } from '../../../contract/workstation.js';
import {
  ATTACHMENT_ROLE_PATTERN,
  formPageNumber,
  MAX_ATTACH_BYTES,
  MAX_FORM_PAGES,
  roleLabel,
  type IntakeImage,
  type IntakeInputs,
  type IntakeResult,
} from '../../../contract/workstationIntake.js';
import { compareWithDossier, recognizeReaderText, toScanErrorInfo } from '../../../scanner/index.js';
import type { WorkstationContext } from '../context.js';
import { fail } from '../errors.js';
import { cardsOfDossier } from '../intake/cards.js';
import type { PreparedPage } from '../intake/images.js';
import { scanFailure, type IntakeScanning } from '../intake/scanning.js';

export type { IntakeOptions } from '../intake/scanning.js';

export type IntakeMethod = keyof typeof IntakeInputs;

const ID_ROLES = new Set(['idFront', 'idBack']);

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
  const first = formPageNumber(role);
  if (first === null) return [role];
  const out: string[] = [];
  for (let n = first; n < first + count && n <= MAX_FORM_PAGES; n++) out.push(`formPage${n}`);
  return out;
}

function maxPagesFor(role: string): number {
  const page = formPageNumber(role);
  return page === null ? 1 : MAX_FORM_PAGES - page + 1;
}

type Intake = { ctx: WorkstationContext; scanning: IntakeScanning };

/** Store prepared pages for their roles (one transaction each, FULL sync) and queue their upload. */
function store(
  { ctx, scanning }: Intake,
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
    scanning.recognizeLater(id, r, p);
    images.push(scanning.view(ctx.store.image(id)!));
  });
  for (const image of images) ctx.emit({ type: 'intake.image', image });
  ctx.engine.kick();
  return { images, notes };
}

async function scan(i: Intake, input: Parameters<Handlers['intake.scan']>[0]): Promise<IntakeResult> {
  i.ctx.session.requireUser(); // signed out: "sign in" before anything about the input
  checkRole(input.role);
  const dossier = i.ctx.dossierInScope(input.dossierId);
  const prepared = await i.scanning.scanPrepared({
    deviceId: input.deviceId,
    ...(input.jobId ? { jobId: input.jobId } : {}),
    request: {
      resolution: input.resolution,
      colorMode: input.colorMode,
      source: input.source,
      // ID cards and the portrait fit a card-sized area; form pages are A4.
      pageSize: input.role.startsWith('formPage') ? 'A4' : 'id_card',
      ...(input.source === 'feeder' ? { maxPages: maxPagesFor(input.role) } : {}),
    },
    maxPages: maxPagesFor(input.role),
  });
  return store(i, dossier, input.role, prepared, 'scan', null);
}

/** The comparison panel: the dossier against what the reader and the stored images recognised. */
function compare({ ctx, scanning }: Intake, dossierId: string) {
  const dossier = ctx.dossierInScope(dossierId);
  const images = ctx.store.images(dossierId).filter((i) => i.recognition);
  const sources: Array<{ role: string | null; recognition: Recognition }> = [];
  const reader = scanning.readerScan(dossierId);
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
    sources: sources.map((s) => ({ role: s.role, kind: s.recognition.kind, source: s.recognition.source })),
    differentCards: cardsOfDossier(sources),
  };
}

export function createIntakeHandlers(ctx: WorkstationContext): Pick<Handlers, IntakeMethod> {
  const scanning = ctx.scanning;
  const i: Intake = { ctx, scanning };
  ctx.onClose(
    ctx.engine.onImageUpdated((image) => ctx.emit({ type: 'intake.image', image: scanning.view(image) })),
  );
  /** The stored image of this id within the officer's scope, or `not_found`. */
  const scopedImage = (id: string) => {
    ctx.session.requireUser();
    const c = ctx.store.imageContent(id) ?? fail('not_found', 'Không tìm thấy ảnh.');
    ctx.dossierInScope(c.dossierId);
    return c;
  };
  return {
    async 'scanner.devices'() {
      ctx.session.requireUser();
      const r = await (await scanning.scanner()).devices();
      if (!r.ok) scanFailure(r.error);
      return r.value;
    },
    'intake.scan': (input) => scan(i, input),
    async 'intake.attach'(input) {
      ctx.session.requireUser();
      checkRole(input.role);
      const dossier = ctx.dossierInScope(input.dossierId);
      const name = input.fileName.normalize('NFC');
      const bytes = Buffer.from(input.data, 'base64');
      if (bytes.length > MAX_ATTACH_BYTES)
        fail('payload_too_large', `Tệp quá lớn: chỉ nhận tệp tối đa ${MAX_ATTACH_BYTES / 1024 / 1024} MB.`);
      const { pages } = await scanning.decoder.prepare(bytes, {
        fileName: name,
        maxPages: maxPagesFor(input.role),
      });
      return store(i, dossier, input.role, pages, 'file', name || null);
    },
    async 'intake.cancel'(input) {
      ctx.session.requireUser();
      return (await scanning.scanner()).cancel({ jobId: input.jobId });
    },
    async 'intake.images'(input) {
      ctx.dossierInScope(input.dossierId);
      return ctx.store.images(input.dossierId).map((image) => scanning.view(image));
    },
    async 'intake.content'(input) {
      const c = scopedImage(input.id);
      return {
        id: input.id,
        mediaType: c.mediaType,
        dataUrl: `data:${c.mediaType};base64,${c.content.toString('base64')}`,
      };
    },
    async 'intake.retry'(input) {
      scopedImage(input.id);
      const image = ctx.store.retryImage(input.id) ?? fail('not_found', 'Không tìm thấy ảnh.');
      ctx.engine.kick();
      return scanning.view(image);
    },
    async 'intake.compare'(input) {
      return compare(i, input.dossierId);
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
      return scanning.lookup(recognition);
    },
  };
}
