// Mẫu 01 (Tờ khai đăng ký sử dụng, điều chỉnh thông tin và ngừng sử dụng phương thức giao dịch điện
// tử trong lĩnh vực bảo hiểm xã hội), filled for a dossier or blank for writing by hand. The text,
// order and layout come from a versioned template (template.ts); this file only interprets it.

import type { Agency, Dossier } from '../../../contract/domain.js';
import { declaredMobile, longDate } from './format.js';
import { createDocument, drawQr, finish, PrintError, setFont, type Doc } from './pdf.js';
import type { FontName } from './resources.js';
import type { FormTemplate, TemplateBlock } from './template.js';

export type Mau01Options = {
  /** The personal photo (JPEG or PNG bytes), placed in the photo box when given. */
  photo?: Uint8Array | null;
  /** The QR's text when it is not the dossier number (a mobile desk's Mã tạm before numbering). */
  qrText?: string;
};

type Mode = 'filled' | 'blank';
type Values = ReadonlyMap<string, string | null>;
type Run = { text: string; value: boolean };

const BOX_CHECKED = '☒';
const BOX_EMPTY = '☐';
// Mẫu 01 has two boxes: a mobile desk is a place of receipt, so its dossiers tick the second.
const SUBMISSION_LABEL = {
  post: 'Qua dịch vụ bưu chính công ích',
  counter: 'Tại nơi tiếp nhận hồ sơ',
  mobile_desk: 'Tại nơi tiếp nhận hồ sơ',
};

/** The dossier's printable values by the paths templates use (`{certificate.serial}`, …). */
export function mau01Values(dossier: Dossier, agency: Agency | null, template: FormTemplate): Values {
  const v = new Map<string, string | null>();
  const put = (key: string, value: string | null | undefined): void => {
    v.set(key, value === undefined || value === null || value === '' ? null : value.normalize('NFC'));
  };
  put('legalBasis', template.legalBasis);
  put('dossierNumber', dossier.dossierNumber);
  put('kind', dossier.kind);
  put('channel', dossier.channel);
  put('fullName', dossier.fullName);
  put('bhxhCode', dossier.bhxhCode);
  put('idNumber', dossier.idNumber);
  put('dateOfBirth', dossier.dateOfBirth);
  put('gender', dossier.gender);
  put('address', dossier.address);
  put('contactPerson', dossier.contactPerson);
  put('email', dossier.email);
  put('mobile', declaredMobile(dossier.mobile));
  put('certificate.serial', dossier.certificate?.serial);
  put('certificate.issuer', dossier.certificate?.issuer);
  put('certificate.validFrom', dossier.certificate?.validFrom);
  put('certificate.validTo', dossier.certificate?.validTo);
  put('ivanName', dossier.ivanName);
  put('effectiveDate', dossier.effectiveDate);
  put('update.certificate.serial', dossier.update?.certificate?.serial);
  put('update.certificate.issuer', dossier.update?.certificate?.issuer);
  put('update.certificate.validFrom', dossier.update?.certificate?.validFrom);
  put('update.certificate.validTo', dossier.update?.certificate?.validTo);
  put('update.email', dossier.update?.email);
  put('update.mobile', dossier.update?.mobile ? declaredMobile(dossier.update.mobile) : null);
  put('stop.stopDate', dossier.stop?.stopDate);
  put('stop.reason', dossier.stop?.reason);
  put('declaredAt', dossier.declaredAt);
  put('submissionMethod', SUBMISSION_LABEL[dossier.submissionMethod]);
  put('agency.name', agency?.name);
  put('agency.code', agency?.code);
  return v;
}

function conditionHolds(when: string | undefined, values: Values, mode: Mode): boolean {
  if (mode === 'blank') return false;
  if (!when) return true;
  return when.split('&').every((clause) => {
    const [key, expected] = clause.split('=');
    return key !== undefined && values.get(key.trim()) === expected?.trim();
  });
}

const PLACEHOLDER = /\{([A-Za-z.]+)(?:\|(longDate))?\}/gu;

/** Template text → runs, values marked so they can be set in bold. */
function fill(text: string, values: Values, mode: Mode, active: boolean, blankWidth = 20): Run[] {
  const runs: Run[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) runs.push({ text: text.slice(last, m.index), value: false });
    last = m.index + m[0].length;
    const key = m[1] ?? '';
    // The legal line belongs to the edition, not to the dossier: printed on blank forms too.
    const raw = key === 'legalBasis' || (mode === 'filled' && active) ? (values.get(key) ?? null) : null;
    if (m[2] === 'longDate') {
      const formatted = longDate(raw);
      if (formatted) runs.push({ text: formatted, value: true });
      else
        runs.push({
          text: mode === 'blank' ? 'ngày .... tháng .... năm .......' : 'ngày ... tháng ... năm ...',
          value: false,
        });
    } else if (raw) {
      runs.push({ text: raw, value: key !== 'legalBasis' });
    } else if (mode === 'blank') {
      runs.push({ text: '.'.repeat(blankWidth), value: false });
    }
  }
  if (last < text.length) runs.push({ text: text.slice(last), value: false });
  return runs.filter((r) => r.text.length > 0);
}

type Frame = { left: number; width: number; fontSize: number; lineGap: number; paragraphGap: number };

/** Writes runs as one paragraph, switching fonts between runs on the same line. */
function writeRuns(
  doc: Doc,
  runs: ReadonlyArray<{ text: string; font: FontName }>,
  x: number,
  width: number,
  frame: Frame,
  align: 'left' | 'center' | 'right' | 'justify',
  underline = false,
): void {
  const parts = runs.filter((r) => r.text.length > 0);
  parts.forEach((run, i) => {
    setFont(doc, run.font);
    const options = { width, align, lineGap: frame.lineGap, continued: i < parts.length - 1, underline };
    if (i === 0) doc.text(run.text, x, doc.y, options);
    else doc.text(run.text, options);
  });
  doc.x = frame.left;
  doc.y += frame.paragraphGap;
}

function styleFont(style: 'regular' | 'bold' | 'italic' | undefined): FontName {
  return style === 'bold' ? 'serifBold' : style === 'italic' ? 'serifItalic' : 'serif';
}

function dotsToFill(doc: Doc, used: number, width: number): string {
  setFont(doc, 'serif');
  const dot = doc.widthOfString('.');
  const room = (width - (used % width)) / dot;
  return '.'.repeat(Math.max(3, Math.floor(room) - 2));
}

// The first page of each document, so minY applies only there.
const firstPage = new WeakMap<Doc, unknown>();

function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

/** Room a block needs at least (signatures are never split from their title). */
function blockHeight(doc: Doc, block: TemplateBlock, frame: Frame): number {
  const line = doc.currentLineHeight(true) + frame.lineGap;
  return block.type === 'signature' ? line * 3 + block.height + 6 : line;
}

function renderBlock(
  doc: Doc,
  block: TemplateBlock,
  next: TemplateBlock | undefined,
  values: Values,
  mode: Mode,
  frame: Frame,
): void {
  const indent = block.indent ?? 0;
  const x = frame.left + indent;
  const width = frame.width - indent;
  const active = conditionHolds(block.when, values, mode);
  doc.fontSize(block.size ?? frame.fontSize);
  if (block.spaceBefore) doc.y += block.spaceBefore;
  switch (block.type) {
    case 'text': {
      if (block.minY !== undefined && doc.y < block.minY && doc.page === firstPage.get(doc))
        doc.y = block.minY;
      const runs = fill(block.text, values, mode, active, block.blankWidth);
      const base = styleFont(block.style);
      const align = block.align ?? 'left';
      if (block.keepWithNext && next) {
        setFont(doc, base);
        const own = doc.heightOfString(runs.map((r) => r.text).join(''), { width, lineGap: frame.lineGap });
        ensureRoom(doc, own + blockHeight(doc, next, frame));
      }
      // Mixed fonts only on left-aligned lines: pdfkit centres and justifies each text call alone.
      const mixed = align === 'left' && base === 'serif';
      const out = mixed
        ? runs.map((r) => ({ text: r.text, font: r.value ? ('serifBold' as const) : base }))
        : [{ text: runs.map((r) => r.text).join(''), font: base }];
      writeRuns(doc, out, x, width, frame, align, block.underline ?? false);
      break;
    }
    case 'field': {
      const value = fill(block.value, values, mode, active)
        .map((r) => r.text)
        .join('');
      const label = `${block.label}${block.hint ? ` ${block.hint}` : ''}:`;
      const runs: Array<{ text: string; font: FontName }> = [{ text: label, font: 'serif' }];
      if (mode === 'blank') {
        setFont(doc, 'serif');
        runs[0] = {
          text: `${label} ${dotsToFill(doc, doc.widthOfString(`${label} `), width)}`,
          font: 'serif',
        };
      } else if (value && !/^\.+$/u.test(value)) {
        runs.push({ text: ` ${value}`, font: 'serifBold' });
      }
      writeRuns(doc, runs, x, width, frame, 'left');
      if (mode === 'blank') {
        for (let i = 0; i < (block.blankLines ?? 0); i++) {
          writeRuns(doc, [{ text: dotsToFill(doc, 0, width), font: 'serif' }], x, width, frame, 'left');
        }
      }
      break;
    }
    case 'section':
    case 'choice': {
      const box = active ? BOX_CHECKED : BOX_EMPTY;
      const font: FontName = block.type === 'section' ? 'serifBold' : 'serif';
      writeRuns(
        doc,
        [
          { text: `${box} `, font: 'sans' },
          { text: block.text, font },
        ],
        x,
        width,
        frame,
        'left',
      );
      break;
    }
    case 'signature': {
      ensureRoom(doc, blockHeight(doc, block, frame));
      const colX = frame.left + frame.width - block.width;
      doc.y += 6;
      const top = doc.y;
      if (block.note) {
        const note = fill(block.note, values, mode, active, 24)
          .map((r) => r.text)
          .join('');
        setFont(doc, 'serifItalic', Math.max(7, frame.fontSize - 2));
        doc.text(note, frame.left, top, { width: frame.width - block.width - 12, lineGap: frame.lineGap });
        doc.fontSize(block.size ?? frame.fontSize);
      }
      setFont(doc, 'serifBold');
      doc.text(block.title, colX, top, {
        width: block.width,
        align: 'center',
        lineGap: frame.lineGap,
      });
      if (block.hint) {
        setFont(doc, 'serifItalic');
        doc.text(block.hint, colX, doc.y, { width: block.width, align: 'center', lineGap: frame.lineGap });
      }
      doc.y += block.height;
      // The blank form leaves the name to the hand that signs.
      const name = block.name && mode === 'filled' ? fill(block.name, values, mode, active) : [];
      const nameText = name.map((r) => r.text).join('');
      if (nameText) {
        setFont(doc, 'serifBold');
        doc.text(nameText, colX, doc.y, { width: block.width, align: 'center', lineGap: frame.lineGap });
      }
      doc.x = frame.left;
      break;
    }
    default: {
      const never: never = block;
      throw new Error(`unknown block ${(never as { type: string }).type}`);
    }
  }
  if (block.spaceAfter) doc.y += block.spaceAfter;
}

function drawPhotoBox(
  doc: Doc,
  template: FormTemplate,
  photo: Uint8Array | null | undefined,
  mode: Mode,
): void {
  const p = template.photo;
  if (photo && mode === 'filled') {
    doc.image(Buffer.from(photo), p.x, p.y, { fit: [p.width, p.height], align: 'center', valign: 'center' });
    doc.lineWidth(0.5).rect(p.x, p.y, p.width, p.height).stroke('#666666');
  } else if (mode === 'blank') {
    doc.lineWidth(0.5).dash(2, { space: 2 }).rect(p.x, p.y, p.width, p.height).stroke('#666666').undash();
    setFont(doc, 'serifItalic', 9);
    doc.fillColor('#444444').text(p.label, p.x, p.y + p.height / 2 - 6, { width: p.width, align: 'center' });
    doc.fillColor('#000000');
  }
}

/** Draws one form from the current page on (which must be fresh). */
function drawForm(
  doc: Doc,
  template: FormTemplate,
  values: Values,
  mode: Mode,
  dossierNumber: string | null,
  photo?: Uint8Array | null,
): void {
  const page = template.page;
  firstPage.set(doc, doc.page);
  const frame: Frame = {
    left: page.margins.left,
    width: doc.page.width - page.margins.left - page.margins.right,
    fontSize: page.fontSize,
    lineGap: page.lineGap,
    paragraphGap: page.paragraphGap,
  };
  drawPhotoBox(doc, template, photo, mode);
  if (dossierNumber) drawQr(doc, dossierNumber, template.qr.x, template.qr.y, template.qr.size);
  doc.x = frame.left;
  doc.y = page.margins.top;
  template.blocks.forEach((block, i) => renderBlock(doc, block, template.blocks[i + 1], values, mode, frame));
}

/** The filled Mẫu 01 of a dossier, ready for the declarant's signature (Bước 5 of Appendix 01). */
export function renderMau01(
  dossier: Dossier,
  agency: Agency | null,
  template: FormTemplate,
  options: Mau01Options = {},
): Promise<Buffer> {
  const doc = createDocument({
    margins: template.page.margins,
    title: `Mẫu số 01 - ${dossier.dossierNumber}`,
  });
  drawForm(
    doc,
    template,
    mau01Values(dossier, agency, template),
    'filled',
    options.qrText ?? dossier.dossierNumber,
    options.photo,
  );
  return finish(doc);
}

/** Blank Mẫu 01 forms with dotted lines, for people who cannot declare online: each copy from a new page. */
export function renderBlankMau01(template: FormTemplate, copies = 1): Promise<Buffer> {
  const doc = createDocument({ margins: template.page.margins, title: 'Mẫu số 01 (để trống)' });
  const values = new Map<string, string | null>([['legalBasis', template.legalBasis]]);
  for (let i = 0; i < copies; i++) {
    if (i > 0) doc.addPage({ size: 'A4', margins: template.page.margins });
    drawForm(doc, template, values, 'blank', null);
  }
  return finish(doc);
}

export type BatchItem = {
  dossier: Dossier;
  agency: Agency | null;
  photo?: Uint8Array | null;
  /** This dossier's edition; else BatchOptions.template. */
  template?: FormTemplate;
};

export type BatchOptions = {
  template?: FormTemplate;
  /** For the progress bar when items is a lazy iterable. */
  total?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | null) => void;
};

/**
 * Many filled forms as ONE print job (each form from a new page), streamed to `out` page by page:
 * items may be an async iterable fetched lazily, memory stays flat however many forms, fonts are
 * embedded once. Aborting through `signal` stops between forms and rejects with PrintError
 * 'cancelled' (the output is then incomplete: discard it).
 */
export async function renderMau01Batch(
  items: Iterable<BatchItem> | AsyncIterable<BatchItem>,
  out: NodeJS.WritableStream,
  options: BatchOptions = {},
): Promise<{ forms: number }> {
  let doc: Doc | null = null;
  let done = 0;
  const ended = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
  // A write error before the end is reported by the await below (or the caller's own handler).
  ended.catch(() => undefined);
  for await (const item of items) {
    if (options.signal?.aborted) {
      doc?.unpipe();
      throw new PrintError('cancelled', 'Đã huỷ in.');
    }
    const template = item.template ?? options.template;
    if (!template) throw new PrintError('bad_input', 'Thiếu mẫu biểu để in.');
    if (!doc) {
      doc = createDocument({ margins: template.page.margins, title: 'Mẫu số 01' });
      doc.pipe(out);
    } else {
      doc.addPage({ size: 'A4', margins: template.page.margins });
    }
    drawForm(
      doc,
      template,
      mau01Values(item.dossier, item.agency, template),
      'filled',
      item.dossier.dossierNumber,
      item.photo,
    );
    done++;
    options.onProgress?.(done, options.total ?? null);
    // Let the output drain (and a cancel arrive) between forms.
    if (doc.readableLength > 1 << 20) await new Promise((resolve) => out.once('drain', resolve));
    else await new Promise((resolve) => setImmediate(resolve));
  }
  if (!doc) throw new PrintError('bad_input', 'Không có hồ sơ nào để in.');
  doc.end();
  await ended;
  return { forms: done };
}
