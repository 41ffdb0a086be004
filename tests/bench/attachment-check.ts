// What checking an upload by decoding costs (server/attachmentCheck.ts): per file, the median and
// p95 of checkAttachment over N runs, beside the first-bytes sniff the service did before (the
// same-run baseline), for a 300-dpi A4 scan as JPEG and PNG (2480 × 3508, a grey page with text-like
// noise), an ID-card photo (1000 × 630 JPEG) and PDFs of 2 and 20 pages (pdfkit, one line each).
// Run: npx tsx tests/bench/attachment-check.ts [--runs 20]

import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import sharp, { type Sharp } from 'sharp';
import { checkAttachment, sniffMediaType } from '../../server/attachmentCheck.js';
import { realPdf } from '../fixtures/files.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
const limits = { maxPixels: 50_000_000, maxPdfPages: 50 };

async function page(width: number, height: number): Promise<Sharp> {
  // Noise blurred into blotches compresses about as a scanned page of text does.
  const noise = Buffer.alloc(width * height);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.random() < 0.04 ? 30 : 235;
  return sharp(noise, { raw: { width, height, channels: 1 } }).blur(0.8);
}

const files: Array<[string, Buffer, 'image/jpeg' | 'image/png' | 'application/pdf']> = [
  ['A4 300 dpi JPEG', await (await page(2480, 3508)).jpeg({ quality: 85 }).toBuffer(), 'image/jpeg'],
  ['A4 300 dpi PNG', await (await page(2480, 3508)).png().toBuffer(), 'image/png'],
  ['ID card photo JPEG', await (await page(1000, 630)).jpeg({ quality: 85 }).toBuffer(), 'image/jpeg'],
  ['PDF 2 pages', await realPdf(2), 'application/pdf'],
  ['PDF 20 pages', await realPdf(20), 'application/pdf'],
];

const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${runs} runs each`,
);
await checkAttachment(files[3]![1], 'application/pdf', limits); // pdf.js loaded once, outside the figures
for (const [name, bytes, type] of files) {
  const check: number[] = [];
  const sniff: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    sniffMediaType(bytes);
    sniff.push(performance.now() - t);
    t = performance.now();
    await checkAttachment(bytes, type, limits);
    check.push(performance.now() - t);
  }
  console.log(
    `${name.padEnd(20)} ${(bytes.length / 1024).toFixed(0).padStart(6)} kB  decode check median ${quantile(check, 0.5).toFixed(1)} ms, p95 ${quantile(check, 0.95).toFixed(1)} ms  |  baseline (first bytes) median ${quantile(sniff, 0.5).toFixed(3)} ms`,
  );
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
