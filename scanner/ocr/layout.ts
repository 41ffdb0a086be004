// Layout-aware reading of a Mẫu 01 page. The form is a known template: a header (the title, "Mẫu số
// 01" and the dossier number), then one "label: value" per line, sections 1–3, and paragraphs of legal
// text the recogniser has no use for (about a third of the page's text). Reading all of it costs as
// much as the plain pipeline's one full-page pass, and tesseract's time goes by the width of text it
// reads, so the page is read in two small passes instead:
//   1. the text lines are found from the ink's row profile (no OCR); the header's short lines (the
//      dossier number; not the titles) and the first 15 % of every other line (where its label
//      stands; not a signature's lines, far right) are stacked into one image and read once;
//   2. the lines whose label names a wanted field — and the lines that may continue them (a wrapped
//      address), up to the next line whose head is a label — are stacked into a second image and read
//      whole. A section's title is known from its head, which stands for it among the lines.
// Each stacked line keeps its place on the page, so the extractor sees ordinary OCR lines with page
// coordinates (and the numeric zones can be read again). When too few labels are found (a photo
// taken at an angle, an unknown layout) the caller reads the whole page instead.

import type { Grey } from '../image/analyse.js';
import type { OcrEngine, OcrLine, OcrPage } from './pool.js';
import { encodePgm } from './preprocess.js';
import { mark } from '../trace.js';

export type Band = { y0: number; y1: number; x0: number; x1: number };

/** Text lines from the row profile of dark pixels: bands of rows with ink, split at empty rows. */
export function findBands(grey: Grey, threshold = 150): Band[] {
  const { data, width, height } = grey;
  const rows = new Uint32Array(height);
  for (let y = 0; y < height; y++) {
    let n = 0;
    const row = y * width;
    for (let x = 0; x < width; x += 2) if ((data[row + x] as number) < threshold) n++;
    rows[y] = n;
  }
  const minInk = Math.max(2, Math.round(width / 2 / 800));
  const bands: Band[] = [];
  let start = -1;
  for (let y = 0; y <= height; y++) {
    const ink = y < height && (rows[y] as number) >= minInk;
    if (ink && start < 0) start = y;
    if (!ink && start >= 0) {
      if (y - start >= 3) bands.push({ y0: start, y1: y, x0: 0, x1: width });
      start = -1;
    }
  }
  const heights = bands.map((b) => b.y1 - b.y0).sort((a, b) => a - b);
  const typical = heights[Math.floor(heights.length / 2)] ?? 10;
  // Lines set close together touch: one line's descenders reach the next line's tone marks, and a
  // band holds a line and a half (a 13-pt serif at 150 dpi lost the contact's e-mail line so). A band
  // over 1.3 lines high is cut at its emptiest row, when that row is nearly empty.
  const split: Band[] = [];
  const cut = (b: Band, depth: number): void => {
    const h = b.y1 - b.y0;
    if (depth < 3 && h > typical * 1.3) {
      const inner = [];
      for (let y = b.y0; y < b.y1; y++) inner.push(rows[y] as number);
      const sorted = [...inner].sort((p, q) => p - q);
      const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
      let at = -1;
      const margin = Math.max(3, Math.round(typical * 0.15));
      for (let y = b.y0 + margin; y < b.y1 - margin; y++)
        if (at < 0 || (rows[y] as number) < (rows[at] as number)) at = y;
      if (at > 0 && (rows[at] as number) <= median * 0.15) {
        cut({ ...b, y1: at }, depth + 1);
        cut({ ...b, y0: at + 1 }, depth + 1);
        return;
      }
    }
    split.push(b);
  };
  for (const b of bands) cut(b, 0);
  // A thin band is a line's tone marks (above it) or descenders (below the line before): it joins
  // the nearer of its neighbours.
  const joined: Band[] = [];
  for (let i = 0; i < split.length; i++) {
    const b = { ...(split[i] as Band) };
    const prev = joined.at(-1);
    const next = split[i + 1];
    if (b.y1 - b.y0 < typical * 0.45) {
      const gapUp = prev ? b.y0 - prev.y1 : Infinity;
      const gapDown = next ? next.y0 - b.y1 : Infinity;
      if (prev && gapUp <= gapDown && gapUp < typical * 0.35) {
        prev.y1 = b.y1;
        continue;
      }
      if (next && gapDown < typical * 0.35) {
        split[i + 1] = { ...next, y0: b.y0 };
        continue;
      }
    }
    joined.push(b);
  }
  for (const b of joined) Object.assign(b, inkExtent(grey, b, 0, width, threshold));
  return joined;
}

/**
 * A line's extent between columns `from` and `to`: from the first to the last column where a
 * letter's worth of ink (1.5 × the line's height in dark pixels) lies within one line height of
 * columns. A photocopy's toner specks and dust (a few pixels each) around the text do not widen the
 * line: a head measured from a speck missed its label, and a header line as wide as the page was
 * taken for a title.
 */
export function inkExtent(
  grey: Grey,
  band: { y0: number; y1: number },
  from: number,
  to: number,
  threshold = 150,
): { x0: number; x1: number } {
  const { data, width } = grey;
  const n = Math.max(0, Math.min(width, to) - from);
  // Columns are counted from each end inwards, as far as the edge: the margins, not the whole line.
  const cols = new Int32Array(n).fill(-1);
  const column = (x: number): number => {
    if ((cols[x] as number) < 0) {
      let ink = 0;
      for (let y = band.y0, i = band.y0 * width + from + x; y < band.y1; y++, i += width)
        if ((data[i] as number) < threshold) ink++;
      cols[x] = ink;
    }
    return cols[x] as number;
  };
  const h = band.y1 - band.y0;
  const edge = (dir: 1 | -1): number => {
    let sum = 0;
    for (let x = dir === 1 ? 0 : n - 1, k = 0; x >= 0 && x < n; x += dir, k++) {
      sum += column(x);
      if (k >= h) sum -= column(x - dir * h);
      if (sum >= h * 1.5) {
        // The window of the last h columns holds a letter: its first inked column is the edge.
        let e = x - dir * Math.min(k, h - 1);
        while (column(e) === 0) e += dir;
        return e;
      }
    }
    return -1;
  };
  const x0 = edge(1);
  const x1 = edge(-1);
  if (x0 < 0 || x1 < x0) return { x0: from, x1: from + n };
  return { x0: from + x0, x1: from + x1 + 1 };
}

type Piece = { band: Band; x0: number; x1: number };

/** Stack pieces of the page one under another with white gaps; returns the image and where each went. */
function stack(grey: Grey, pieces: Piece[], gap: number): { image: Buffer; tops: number[]; width: number } {
  const pad = gap;
  const width = Math.max(...pieces.map((p) => p.x1 - p.x0)) + 2 * pad;
  const tops: number[] = [];
  let height = gap;
  for (const p of pieces) {
    tops.push(height);
    height += p.band.y1 - p.band.y0 + gap;
  }
  const out = new Uint8Array(width * height).fill(255);
  pieces.forEach((p, i) => {
    const top = tops[i] as number;
    for (let y = p.band.y0; y < p.band.y1; y++) {
      out.set(
        grey.data.subarray(y * grey.width + p.x0, y * grey.width + p.x1),
        (top + y - p.band.y0) * width + pad,
      );
    }
  });
  return { image: encodePgm({ data: out, width, height }), tops, width };
}

/** OCR lines of a stacked image, moved back to page coordinates (a line belongs to the piece it overlaps most). */
function unstack(page: OcrPage, pieces: Piece[], tops: number[], pad: number): OcrLine[] {
  const out: OcrLine[] = [];
  for (const line of page.lines) {
    const mid = (line.bbox.y0 + line.bbox.y1) / 2;
    let best = -1;
    for (let i = 0; i < pieces.length; i++) {
      const top = tops[i] as number;
      const h = (pieces[i] as Piece).band.y1 - (pieces[i] as Piece).band.y0;
      if (mid >= top - pad / 2 && mid <= top + h + pad / 2) best = i;
    }
    if (best < 0) continue;
    const p = pieces[best] as Piece;
    const dy = p.band.y0 - (tops[best] as number);
    const dx = p.x0 - pad;
    const move = (b: OcrLine['bbox']): OcrLine['bbox'] => ({
      x0: b.x0 + dx,
      x1: b.x1 + dx,
      y0: b.y0 + dy,
      y1: b.y1 + dy,
    });
    out.push({
      ...line,
      bbox: move(line.bbox),
      ...(line.words ? { words: line.words.map((w) => ({ ...w, bbox: move(w.bbox) })) } : {}),
    });
  }
  return out;
}

export type LayoutReading = { page: OcrPage; bands: number; readFraction: number };

/** What the form reader needs to know of a line from its head (extract.ts, mau01LineNeed). */
export type LineNeed = { keep: boolean; whole: boolean; title: boolean; continuation: number };

/**
 * How much of each line pass 1 reads, as a fraction of the text's width: ~13 characters of the
 * form's 12–13-pt print, enough for the first 8–12 letters of a label. Pass 1 costs by the width it
 * reads (CPU, one page at 150 dpi: 566 ms at 22 %, 369 ms at 15 %, 294 ms at 11 %).
 */
export const HEAD_FRACTION = 0.15;
/** Fewer letters than this name no label (mau01LineNeed compares 8): such a head is read again wider. */
const SURE_LETTERS = 8;
const letterCount = (text: string): number => text.replace(/[^\p{L}]/gu, '').length;
/** A header line wider than this (of the text's width) is a title, not the dossier number. */
const HEADER_MAX_WIDTH = 0.4;
/** A body line starting further right than this (of the text's width) holds no label (a signature). */
const LABEL_MAX_INDENT = 0.3;

/**
 * Read a Mẫu 01 page in two stacked passes. `wanted(head)` tells, from a line's head, whether the
 * line is a label's and whether it is needed whole, and how many following lines may continue it.
 * Returns null when the page does not look like the form (fewer than `minLabels` wanted lines found).
 */
export async function readFormByLayout(
  engine: OcrEngine,
  grey: Grey,
  dpi: number,
  wanted: (head: string) => LineNeed | null,
  minLabels = 4,
): Promise<LayoutReading | null> {
  const bands = findBands(grey);
  if (bands.length < 12) return null;
  const heights = bands.map((b) => b.y1 - b.y0).sort((a, b) => a - b);
  const typical = heights[Math.floor(heights.length / 2)] ?? 20;
  const text = bands.filter((b) => b.y1 - b.y0 <= typical * 2.2);
  // The text's margins: most lines start at the left one, and every paragraph's lines reach the
  // right one (a tenth of the lines either side is left out: a streak, a stamp).
  const xs0 = text.map((b) => b.x0).sort((a, b) => a - b);
  const xs1 = text.map((b) => b.x1).sort((a, b) => a - b);
  const left = xs0[Math.floor(xs0.length * 0.1)] ?? 0;
  const right = xs1[Math.ceil(xs1.length * 0.9) - 1] ?? grey.width;
  const textWidth = Math.max(1, right - left);
  const headWidth = Math.round(textWidth * HEAD_FRACTION);
  const headerEnd = grey.height * 0.2;
  const gap = Math.round(typical * 0.8);
  // Pass 1: the header's short lines whole (the dossier number; skipping a photo or QR at its left,
  // and the titles), every other line's head (not a signature's, far right).
  const firstPieces: Array<Piece | null> = text.map((band) => {
    if (band.y1 <= headerEnd) {
      const from = Math.max(band.x0, Math.round(left + textWidth * 0.22));
      const { x0, x1 } = from > band.x0 ? inkExtent(grey, band, from, band.x1) : band;
      return x1 - x0 <= textWidth * HEADER_MAX_WIDTH ? { band, x0, x1 } : null;
    }
    if (band.x0 > left + textWidth * LABEL_MAX_INDENT) return null;
    return { band, x0: band.x0, x1: Math.min(band.x1, band.x0 + headWidth) };
  });
  const usable = firstPieces.filter((p): p is Piece => p !== null && p.x1 - p.x0 > 4);
  const first = stack(grey, usable, gap);
  mark('layout: lines found');
  const heads = await engine.recognize({ image: first.image, dpi, layout: 'block' });
  mark('layout: first pass (heads)');
  const headLines = unstack(heads, usable, first.tops, gap);
  // What each body line is, from its head.
  const need = new Map<Band, { line: OcrLine; need: LineNeed | null }>();
  const judge = (lines: OcrLine[], pieces: Piece[]): void => {
    for (const line of lines) {
      const piece = pieces.find((p) => line.bbox.y0 >= p.band.y0 - 2 && line.bbox.y1 <= p.band.y1 + 2);
      if (!piece || piece.band.y1 <= headerEnd || need.get(piece.band)?.need) continue;
      need.set(piece.band, { line, need: wanted(line.text) });
    }
  };
  judge(headLines, usable);
  // A head that named no label and showed fewer than SURE_LETTERS letters of a longer line (a wide
  // font's "Số CMND/H", a checkbox before "2. Điều chỉ") is read again twice as wide, those lines
  // together in one more small read.
  const unsure = usable.filter((p) => {
    if (p.band.y1 <= headerEnd || p.x1 >= p.band.x1 - 2) return false;
    const seen = need.get(p.band);
    return !seen || (!seen.need && letterCount(seen.line.text) < SURE_LETTERS);
  });
  if (unsure.length > 0) {
    const wider = unsure.map((p) => ({ ...p, x1: Math.min(p.band.x1, p.x0 + 2 * headWidth) }));
    const again = stack(grey, wider, gap);
    const read = await engine.recognize({ image: again.image, dpi, layout: 'block' });
    for (const p of wider) need.delete(p.band);
    judge(unstack(read, wider, again.tops, gap), wider);
    mark('layout: unsure heads read wider');
  }
  // Which bands are read whole: a wanted field's line, and the lines after it that may continue its
  // value — up to the next line whose head is a label (a certificate's label under a one-line address
  // is not read).
  const whole = new Set<Band>();
  const titles: OcrLine[] = [];
  let labels = 0;
  for (const [band, { line, need: w }] of need) {
    if (!w) continue;
    if (w.keep) labels++;
    if (w.title) titles.push(line);
    if (!w.whole) continue;
    whole.add(band);
    const i = text.indexOf(band);
    for (let k = 1; k <= w.continuation && i + k < text.length; k++) {
      const next = text[i + k] as Band;
      if (need.get(next)?.need) break;
      whole.add(next);
    }
  }
  if (labels < minLabels) return null;
  const secondPieces: Piece[] = text
    .filter((b) => whole.has(b))
    .map((band) => ({ band, x0: band.x0, x1: band.x1 }));
  const second = stack(grey, secondPieces, gap);
  const values = await engine.recognize({ image: second.image, dpi, layout: 'block' });
  const valueLines = unstack(values, secondPieces, second.tops, gap);
  const header = headLines.filter((l) => l.bbox.y1 <= headerEnd + 2);
  const lines = [...header, ...titles, ...valueLines].sort((a, b) => a.bbox.y0 - b.bbox.y0);
  const area = (ps: Piece[]): number => ps.reduce((s, p) => s + (p.x1 - p.x0) * (p.band.y1 - p.band.y0), 0);
  return {
    page: { text: lines.map((l) => l.text).join('\n'), confidence: values.confidence, lines },
    bands: text.length,
    readFraction:
      (area(usable) + area(secondPieces)) /
      Math.max(1, area(text.map((band) => ({ band, x0: band.x0, x1: band.x1 })))),
  };
}
