// Scanner benchmark: on a generated set of Mẫu 01 pages (our printed style with a QR, the
// portal's serif style without) and ID-card-like images, clean and degraded, prints
//   * QR decode time per image (300-dpi pages and card scans),
//   * OCR time per page with the warm tesseract.js pool vs native `tesseract` (Debian tesseract-ocr +
//     tesseract-ocr-vie, OMP_THREAD_LIMIT=1) on the same prepared images in the same run,
//   * field exact-match rates (dossierNumber, bhxhCode, …) for clean and degraded pages, both engines,
//   * CCCD fields from the QR when the QR is readable.
// Run: npx tsx tests/bench/scanner.ts [--forms 8] [--cards 8]

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { RecognizedFields } from '../../contract/scan.js';
import { syntheticPeople, type SyntheticPerson } from '../../contract/synthetic.js';
import { greyOf } from '../../scanner/image/grey.js';
import { loadPages, type PageImage } from '../../scanner/image/load.js';
import { extractFields } from '../../scanner/ocr/extract.js';
import { OcrPool, type OcrLine, type OcrPage } from '../../scanner/ocr/pool.js';
import { prepareForOcr } from '../../scanner/ocr/preprocess.js';
import { regionForOcr } from '../../scanner/ocr/recognizeText.js';
import { decodeQrFromGrey, initQrDecoder } from '../../scanner/qr/decode.js';
import { recognizeFromQrs } from '../../scanner/recognize.js';
import {
  cccdFront,
  degrade,
  DEGRADATIONS,
  mau01Page,
  type FormData,
} from '../unit/scanner/support/images.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: { forms: { type: 'string', default: '8' }, cards: { type: 'string', default: '8' } },
});
const FORMS = Number(values.forms);
const CARDS = Number(values.cards);
const HAVE_NATIVE = existsSync('/usr/bin/tesseract');
const DEGRADED_KINDS = Object.keys(DEGRADATIONS);

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const stats = (xs: number[]): string => {
  if (xs.length === 0) return 'n/a';
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const p = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  return `mean ${mean.toFixed(0)} ms, median ${p(0.5).toFixed(0)} ms, p95 ${p(0.95).toFixed(0)} ms, max ${(s.at(-1) as number).toFixed(0)} ms (n=${s.length})`;
};
const pct = (a: number, b: number): string =>
  b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}% (${a}/${b})`;

/** Native tesseract's TSV (level 4 = line, 5 = word) → the same OcrPage shape the pool returns. */
function pageFromTsv(tsv: string): OcrPage {
  const lines = new Map<string, { words: string[]; confs: number[]; bbox: OcrLine['bbox'] }>();
  for (const row of tsv.split('\n').slice(1)) {
    const c = row.split('\t');
    if (c.length < 12 || c[0] !== '5') continue;
    const key = `${c[2]}-${c[3]}-${c[4]}`;
    const [left, top, width, height] = [Number(c[6]), Number(c[7]), Number(c[8]), Number(c[9])];
    const entry = lines.get(key) ?? {
      words: [],
      confs: [],
      bbox: { x0: left, y0: top, x1: left + width, y1: top + height },
    };
    entry.words.push(c[11] ?? '');
    entry.confs.push(Number(c[10]));
    entry.bbox.x1 = Math.max(entry.bbox.x1, left + width);
    lines.set(key, entry);
  }
  const out: OcrLine[] = [...lines.values()].map((l) => ({
    text: l.words.join(' ').normalize('NFC'),
    confidence: l.confs.reduce((a, b) => a + b, 0) / Math.max(1, l.confs.length),
    bbox: l.bbox,
  }));
  return { text: out.map((l) => l.text).join('\n'), confidence: 0, lines: out };
}

async function nativeOcr(dir: string, image: Buffer, dpi: number): Promise<{ page: OcrPage; ms: number }> {
  const file = path.join(dir, `native-${Math.random().toString(36).slice(2)}.pgm`);
  await writeFile(file, image);
  const t0 = process.hrtime.bigint();
  const { stdout } = await run(
    'tesseract',
    [file, '-', '-l', 'vie', '--psm', '3', '--dpi', String(dpi), 'tsv'],
    {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const took = ms(t0);
  await rm(file, { force: true });
  return { page: pageFromTsv(stdout), ms: took };
}

type Tally = { total: number; exact: Record<string, number> };
const tally = (): Tally => ({ total: 0, exact: {} });
function score(t: Tally, got: RecognizedFields, want: Record<string, string>): void {
  t.total += 1;
  for (const [k, v] of Object.entries(want))
    if ((got as Record<string, string | undefined>)[k] === v) t.exact[k] = (t.exact[k] ?? 0) + 1;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'scanner-bench-'));
  const people = syntheticPeople(Math.max(FORMS, CARDS), 2026);
  console.log(
    `Scanner benchmark — ${FORMS} forms per style, ${CARDS} cards; degradations: ${DEGRADED_KINDS.join(', ')}`,
  );
  console.log(
    `native tesseract: ${HAVE_NATIVE ? (await run('tesseract', ['--version'])).stdout.split('\n')[0] : 'absent (baseline skipped)'}`,
  );

  // ---------------- generate ----------------
  const t0 = process.hrtime.bigint();
  type Item = {
    style: 'ours' | 'portal';
    degraded: string | null;
    page: PageImage;
    want: Record<string, string>;
  };
  const forms: Item[] = [];
  for (let i = 0; i < FORMS; i++) {
    const p = people[i] as SyntheticPerson;
    const data: FormData = {
      ...p,
      dossierNumber: `${String(100 + i).padStart(5, '0')}.GD/2025/${i % 2 ? '903' : '00115'}`,
    };
    const want = {
      dossierNumber: data.dossierNumber,
      bhxhCode: p.bhxhCode,
      idNumber: p.idNumber,
      fullName: p.fullName,
    };
    for (const style of ['ours', 'portal'] as const) {
      const clean = await mau01Page(data, style);
      const kind = DEGRADED_KINDS[i % DEGRADED_KINDS.length] as string;
      const bad = await degrade(clean, DEGRADATIONS[kind]!);
      for (const [bytes, degraded] of [
        [clean, null],
        [bad, kind],
      ] as const) {
        const [page] = await loadPages(new Uint8Array(bytes));
        forms.push({ style, degraded, page: page!, want });
      }
    }
  }
  const cards: Array<{ p: SyntheticPerson; degraded: string | null; page: PageImage }> = [];
  for (let i = 0; i < CARDS; i++) {
    const p = people[i] as SyntheticPerson;
    const clean = await cccdFront(p);
    const kind = DEGRADED_KINDS[i % DEGRADED_KINDS.length] as string;
    for (const [bytes, degraded] of [
      [clean, null],
      [await degrade(clean, DEGRADATIONS[kind]!), kind],
    ] as const) {
      const [page] = await loadPages(new Uint8Array(bytes));
      cards.push({ p, degraded, page: page! });
    }
  }
  console.log(
    `generated ${forms.length} form pages and ${cards.length} card images in ${(ms(t0) / 1000).toFixed(1)} s\n`,
  );

  // ---------------- QR ----------------
  await initQrDecoder();
  const decodeTimes: number[] = [];
  const qrPageTimes: number[] = [];
  const qrCardTimes: number[] = [];
  let formQrRead = 0;
  let formQrTotal = 0;
  const qrDossier = new Map<Item, string>();
  for (const f of forms.filter((x) => x.style === 'ours')) {
    const td = process.hrtime.bigint();
    const grey = await greyOf(f.page);
    decodeTimes.push(ms(td));
    const t = process.hrtime.bigint();
    const codes = await decodeQrFromGrey(grey);
    qrPageTimes.push(ms(t));
    formQrTotal += 1;
    const r = codes.length ? recognizeFromQrs(codes) : null;
    if (r?.fields.dossierNumber) {
      qrDossier.set(f, r.fields.dossierNumber);
      if (r.fields.dossierNumber === f.want.dossierNumber) formQrRead += 1;
    }
  }
  let cardReadable = 0;
  let cardExact = 0;
  const cardByKind: Record<string, [number, number]> = {};
  for (const c of cards) {
    const grey = await greyOf(c.page);
    const t = process.hrtime.bigint();
    const codes = await decodeQrFromGrey(grey);
    qrCardTimes.push(ms(t));
    const key = c.degraded ?? 'clean';
    cardByKind[key] ??= [0, 0];
    cardByKind[key][1] += 1;
    let r = null;
    try {
      r = codes.length ? recognizeFromQrs(codes) : null;
    } catch {
      r = null;
    }
    if (!r) continue;
    cardReadable += 1;
    cardByKind[key][0] += 1;
    const f = r.fields;
    if (
      f.idNumber === c.p.idNumber &&
      f.fullName === c.p.fullName &&
      f.dateOfBirth === c.p.dateOfBirth &&
      f.gender === c.p.gender &&
      f.address === c.p.address
    )
      cardExact += 1;
  }
  console.log('QR decode (zxing-wasm, warm)');
  console.log(`  300-dpi Mẫu 01 page:   ${stats(qrPageTimes)}   (target ≤ 150 ms)`);
  console.log(
    `  (PNG → greyscale pixels, once per page, shared with the quality gate and OCR: ${stats(decodeTimes)})`,
  );
  console.log(`  ID card image:         ${stats(qrCardTimes)}`);
  console.log(`  form QR → dossierNumber exact: ${pct(formQrRead, formQrTotal)}`);
  console.log(
    `  card QR readable: ${pct(cardReadable, cards.length)} [${Object.entries(cardByKind)
      .map(([k, [a, b]]) => `${k} ${a}/${b}`)
      .join(', ')}]`,
  );
  console.log(
    `  CCCD fields exact when the QR is readable: ${pct(cardExact, cardReadable)}   (target 100%)\n`,
  );

  // ---------------- OCR ----------------
  const pool = await OcrPool.start({ size: 1 });
  const jsTimes: number[] = [];
  const nativeTimes: number[] = [];
  const prepTimes: number[] = [];
  const js = { clean: tally(), degraded: tally() };
  const nat = { clean: tally(), degraded: tally() };
  const pipeline = { clean: tally(), degraded: tally() };
  for (const f of forms) {
    const t = process.hrtime.bigint();
    const prepared = await prepareForOcr(await regionForOcr(f.page), { dpi: f.page.dpi });
    prepTimes.push(ms(t));
    const t1 = process.hrtime.bigint();
    const jsPage = await pool.recognize({ image: prepared.bytes, dpi: prepared.dpi });
    jsTimes.push(ms(t1));
    const bucket = f.degraded ? 'degraded' : 'clean';
    const jsFields = extractFields(jsPage, 'mau01')?.fields ?? {};
    score(js[bucket], jsFields, f.want);
    // The full pipeline: our forms take the dossier number from their QR, OCR for the rest.
    const qr = qrDossier.get(f);
    score(pipeline[bucket], { ...jsFields, ...(qr ? { dossierNumber: qr } : {}) }, f.want);
    if (HAVE_NATIVE) {
      const n = await nativeOcr(dir, prepared.bytes, prepared.dpi);
      nativeTimes.push(n.ms);
      score(nat[bucket], extractFields(n.page, 'mau01')?.fields ?? {}, f.want);
    }
  }
  await pool.close();
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  console.log(
    'OCR per Mẫu 01 page (top 55% of an A4 page at 300 dpi, same prepared PGM for both engines, one thread each)',
  );
  console.log(`  clean-up (deskew, crop, median, Otsu): ${stats(prepTimes)}`);
  console.log(`  tesseract.js 7, warm pool:             ${stats(jsTimes)}`);
  if (HAVE_NATIVE) {
    console.log(`  native tesseract (OMP_THREAD_LIMIT=1): ${stats(nativeTimes)}`);
    console.log(
      `  ratio tesseract.js / native (means):   ${(mean(jsTimes) / mean(nativeTimes)).toFixed(2)}×   (target ≤ 1.5×)`,
    );
  }
  console.log('\nField exact-match rate (OCR only)');
  const fieldsLine = (t: Tally): string =>
    ['dossierNumber', 'bhxhCode', 'idNumber', 'fullName']
      .map((k) => `${k} ${pct(t.exact[k] ?? 0, t.total)}`)
      .join(' · ');
  console.log(`  tesseract.js clean:    ${fieldsLine(js.clean)}`);
  console.log(`  tesseract.js degraded: ${fieldsLine(js.degraded)}`);
  if (HAVE_NATIVE) {
    console.log(`  native clean:          ${fieldsLine(nat.clean)}`);
    console.log(`  native degraded:       ${fieldsLine(nat.degraded)}`);
  }
  console.log(
    'Full pipeline (QR where printed + tesseract.js): targets dossierNumber & bhxhCode ≥ 99% clean, ≥ 95% degraded',
  );
  console.log(`  clean:    ${fieldsLine(pipeline.clean)}`);
  console.log(`  degraded: ${fieldsLine(pipeline.degraded)}`);
  await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
