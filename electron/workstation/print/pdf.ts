// The pdfkit plumbing every printed document shares: a document with the embedded DejaVu fonts,
// collecting it into a Buffer, a vector QR code and a table that breaks across pages.

import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { loadedFonts, type FontName } from './resources.js';

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

export function createDocument(options: DocumentOptions): Doc {
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
