// The pdfkit plumbing every printed document shares: a document with the embedded DejaVu fonts,
// collecting it into a Buffer, a vector QR code and a table that breaks across pages.

import { deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { fontGeneration, loadedFonts, type FontName } from './resources.js';

export type Doc = PDFKit.PDFDocument;

export type DocumentOptions = {
  layout?: 'portrait' | 'landscape';
  margins: { top: number; bottom: number; left: number; right: number };
  title: string;
};

/** Thrown for documents that cannot be made from the data given (Vietnamese message for the user). */
export class PrintError extends Error {
  override name = 'PrintError';
  constructor(
    readonly code: 'not_decided' | 'bad_input' | 'cancelled',
    message: string,
  ) {
    super(message);
  }
}

let cachesBuiltFor = 0;

export function createDocument(options: DocumentOptions): Doc {
  if (cachesBuiltFor !== fontGeneration()) {
    // Other font files: shaped words, canonical glyphs and encoded subsets belong to the old ones.
    sharedLayouts.clear();
    canonical.clear();
    fontFiles.clear();
    cachesBuiltFor = fontGeneration();
  }
  const fonts = loadedFonts();
  const doc = new PDFDocument({
    size: 'A4',
    // Our own default font: pdfkit would otherwise parse Helvetica's metrics for every document.
    font: fonts.get('serif') as unknown as string,
    layout: options.layout ?? 'portrait',
    margins: options.margins,
    lang: 'vi-VN',
    info: { Title: options.title, Creator: 'BHXH GDĐT workstation', Producer: 'pdfkit' },
    bufferPages: false,
  });
  // pdfkit accepts a fontkit font where its typings only name paths and bytes.
  for (const [name, font] of fonts) {
    doc.registerFont(name, font as unknown as Buffer);
    shareLayoutCache(doc, name);
    shareFontFile(doc, name);
  }
  doc.font('serif');
  return doc;
}

// pdfkit caches the shaped glyphs of each word per document; shaping Vietnamese words with fontkit
// is most of a form's cost, and the same words recur on every form. Each document gets its own cache
// whose prototype is a shared one: lookups fall through to words shaped by earlier documents, new
// words land in the document's own object (garbage with the document). When a document ends its
// words are promoted to the shared cache until that holds LAYOUT_CACHE_LIMIT words, then it stops
// growing: the form's own wording is always in it, memory stays flat however long the batch. Cached
// runs are read-only (pdfkit copies a run before changing its spacing). ~30 → ~15 ms a form.
const LAYOUT_CACHE_LIMIT = 1_500;
type SharedLayouts = { words: Record<string, unknown>; size: number };
const sharedLayouts = new Map<FontName, SharedLayouts>();

type FontWithCache = { layoutCache?: Record<string, unknown> };

function shareLayoutCache(doc: Doc, name: FontName): void {
  let shared = sharedLayouts.get(name);
  if (!shared) {
    shared = { words: Object.create(null) as Record<string, unknown>, size: 0 };
    sharedLayouts.set(name, shared);
  }
  doc.font(name);
  const font = (doc as unknown as { _font?: FontWithCache })._font;
  // Only when this pdfkit version keeps the cache where we expect it; otherwise each document keeps its own.
  if (!font || !font.layoutCache || typeof font.layoutCache !== 'object') return;
  const own = Object.create(shared.words) as Record<string, unknown>;
  font.layoutCache = own;
  const target = shared;
  doc.once('end', () => {
    for (const word of Object.keys(own)) {
      if (target.size >= LAYOUT_CACHE_LIMIT) break;
      target.words[word] = own[word];
      target.size++;
    }
  });
}

// Embedding is the other half of a form's cost: pdfkit subsets and compresses every font anew for
// each document (~10 ms a form). Every document therefore starts each font's subset with the same
// glyphs, in the same order: printable ASCII, every Vietnamese letter and tone, common punctuation
// (and the ballot boxes). A form whose text stays within them (nearly all) then has a subset equal to
// the previous form's, so the subset is encoded and compressed once per process and reused. A
// letter outside the set is appended and gets its own subset (cached too, a few at most). The PDF
// carries ~400 glyphs per font instead of ~100: tens of KB more per document, none in a batch job.
const VOWELS = 'aăâeêioôơuưy';
const TONES = ['', '\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];
const CANONICAL_TEXT = (() => {
  let text = '';
  for (let c = 0x20; c < 0x7f; c++) text += String.fromCharCode(c);
  for (const v of VOWELS + VOWELS.toUpperCase()) for (const t of TONES) text += `${v}${t}`.normalize('NFC');
  return `${text}đĐ–—‘’“”…•°№×÷±²³·«»☐☒`;
})();
const FONT_FILE_CACHE_LIMIT = 48;
const fontFiles = new Map<string, Buffer>();

type EmbeddedFont = {
  font: { glyphForCodePoint(cp: number): { id: number; advanceWidth: number; codePoints: number[] } };
  subset: { glyphs: number[]; includeGlyph(id: number): number; encode(): Uint8Array };
  widths: number[];
  unicode: number[][];
  scale: number;
  embed(): void;
};
const prepared = new WeakSet<object>();
type CanonicalGlyph = { id: number; advanceWidth: number; codePoints: number[] };
const canonical = new Map<FontName, CanonicalGlyph[]>();

/** The canonical glyphs of a font, looked up once per process. */
function canonicalGlyphs(name: FontName, font: EmbeddedFont['font']): CanonicalGlyph[] {
  let list = canonical.get(name);
  if (!list) {
    list = [];
    for (const ch of CANONICAL_TEXT) {
      const glyph = font.glyphForCodePoint(ch.codePointAt(0) ?? 0);
      // Absent from this font (the serif faces have no ballot boxes): skip.
      if (glyph.id)
        list.push({ id: glyph.id, advanceWidth: glyph.advanceWidth, codePoints: glyph.codePoints });
    }
    canonical.set(name, list);
  }
  return list;
}

function shareFontFile(doc: Doc, name: FontName): void {
  doc.font(name);
  const ef = (doc as unknown as { _font?: Partial<EmbeddedFont> })._font;
  if (!ef || prepared.has(ef)) return;
  // Only with the pdfkit internals this was written against; otherwise pdfkit embeds as usual.
  const { subset, widths, unicode, font, scale } = ef;
  if (!subset || !widths || !unicode || !font || typeof scale !== 'number' || typeof ef.embed !== 'function')
    return;
  if (typeof subset.encode !== 'function' || typeof subset.includeGlyph !== 'function') return;
  prepared.add(ef);
  for (const glyph of canonicalGlyphs(name, font)) {
    const gid = subset.includeGlyph(glyph.id);
    widths[gid] ??= glyph.advanceWidth * scale;
    unicode[gid] ??= glyph.codePoints;
  }
  const encode = subset.encode.bind(subset);
  subset.encode = () => {
    const key = `${name}:${subset.glyphs.join(',')}`;
    let bytes = fontFiles.get(key);
    if (!bytes) {
      bytes = deflateSync(encode());
      if (fontFiles.size < FONT_FILE_CACHE_LIMIT) fontFiles.set(key, bytes);
    }
    return bytes;
  };
  // The font file stream is the first object embed() creates: mark it as already compressed, so
  // pdfkit writes the cached deflated bytes as they are.
  const embed = ef.embed.bind(ef);
  ef.embed = () => {
    const ref = doc.ref.bind(doc);
    let first = true;
    doc.ref = (data?: object) => {
      if (!first) return ref(data ?? {});
      first = false;
      return ref({ ...(data ?? {}), Filter: 'FlateDecode' } as object);
    };
    try {
      embed();
    } finally {
      doc.ref = ref;
    }
  };
}

export function setFont(doc: Doc, name: FontName, size?: number): Doc {
  doc.font(name);
  if (size !== undefined) doc.fontSize(size);
  return doc;
}

/** Ends the document and resolves with its bytes. */
export function finish(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

/**
 * A QR code drawn as vector squares (crisp at any printer resolution, no image decoding). Error
 * correction M survives a pen stroke or a staple hole; a 4-module quiet zone is left around it.
 */
export function drawQr(doc: Doc, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 4;
  const cell = size / (n + 2 * quiet);
  const ox = x + quiet * cell;
  const oy = y + quiet * cell;
  doc.save();
  for (let r = 0; r < n; r++) {
    let c = 0;
    while (c < n) {
      if (!qr.modules.get(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < n && qr.modules.get(r, c)) c++;
      // A hair of overlap avoids white seams between squares in some viewers.
      doc.rect(ox + start * cell, oy + r * cell, (c - start) * cell + 0.05, cell + 0.05);
    }
  }
  doc.fill('#000000');
  doc.restore();
}

export type Column = { header: string; width: number; align?: 'left' | 'center' | 'right' };
export type TableOptions = {
  fontSize: number;
  padding?: number;
  /** Rows drawn in bold (e.g. a totals row), by index. */
  boldRows?: ReadonlySet<number>;
};

/** A bordered table with wrapped cells; the header row repeats on every new page. */
export function drawTable(
  doc: Doc,
  columns: readonly Column[],
  rows: ReadonlyArray<readonly string[]>,
  options: TableOptions,
): void {
  const pad = options.padding ?? 3;
  const left = doc.page.margins.left;
  const bottom = (): number => doc.page.height - doc.page.margins.bottom;
  const cellHeight = (cells: readonly string[], font: FontName): number => {
    setFont(doc, font, options.fontSize);
    let h = 0;
    columns.forEach((col, i) => {
      const text = cells[i] ?? '';
      h = Math.max(h, text ? doc.heightOfString(text, { width: col.width - 2 * pad, lineGap: 0 }) : 0);
    });
    return h + 2 * pad;
  };
  const drawRow = (cells: readonly string[], font: FontName, fill: string | null): void => {
    const h = cellHeight(cells, font);
    if (doc.y + h > bottom()) doc.addPage();
    const y = doc.y;
    let x = left;
    columns.forEach((col, i) => {
      if (fill) doc.rect(x, y, col.width, h).fill(fill);
      doc.lineWidth(0.5).rect(x, y, col.width, h).stroke('#444444');
      doc.fillColor('#000000');
      setFont(doc, font, options.fontSize);
      const text = cells[i] ?? '';
      if (text) {
        doc.text(text, x + pad, y + pad, {
          width: col.width - 2 * pad,
          align: col.align ?? 'left',
          lineGap: 0,
          lineBreak: true,
        });
      }
      x += col.width;
    });
    doc.x = left;
    doc.y = y + h;
  };
  const header = columns.map((c) => c.header);
  const headerHeight = cellHeight(header, 'condensedBold');
  // Keep the header with at least one row.
  const firstRow = rows[0];
  if (doc.y + headerHeight + (firstRow ? cellHeight(firstRow, 'condensed') : 0) > bottom()) doc.addPage();
  drawRow(header, 'condensedBold', '#e6e6e6');
  rows.forEach((row, index) => {
    const font: FontName = options.boldRows?.has(index) ? 'condensedBold' : 'condensed';
    if (doc.y + cellHeight(row, font) > bottom()) {
      doc.addPage();
      drawRow(header, 'condensedBold', '#e6e6e6');
    }
    drawRow(row, font, null);
  });
}
