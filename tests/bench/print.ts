// Printing benchmark: `npx tsx tests/bench/print.ts [--quick]`. Not part of npm test.
// Prints, beside baselines measured in the same run:
//   * time per filled Mẫu 01 (its own PDF), cold and warm, varied synthetic dossiers;
//   * a batch of 1,000 forms as 1,000 separate PDFs and as ONE streamed print job (target ≤ 20 ms/form);
//   * peak memory of a batch of 100 vs 1,000 (target: flat), each run in a fresh child process.
// Baselines: an empty one-line PDF with a built-in font (pdfkit's floor), and the naive way of
// embedding fonts (TTF bytes handed to pdfkit for every document).

import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import type { Dossier } from '../../contract/domain.js';
import { syntheticPeople } from '../../contract/synthetic.js';
import {
  renderMau01,
  renderMau01Batch,
  templateById,
  type FormTemplate,
} from '../../electron/workstation/print/index.js';
import { loadDemo } from '../fixtures/demo.js';
import { demoAgency, toDossier } from '../unit/print/demoDossiers.js';

const SELF = fileURLToPath(import.meta.url);
const QUICK = process.argv.includes('--quick');
const BATCH = QUICK ? 200 : 1000;
const SMALL = QUICK ? 20 : 100;

function dossiers(count: number): Dossier[] {
  const base = loadDemo().dossiers[0];
  if (!base) throw new Error('no demo dossier');
  return syntheticPeople(count, 2026).map((p, i) =>
    toDossier(base, {
      dossierNumber: `${String((i % 99999) + 1).padStart(5, '0')}.GD/2026/903`,
      fullName: p.fullName,
      contactPerson: p.fullName,
      bhxhCode: p.bhxhCode,
      idKind: 'cccd',
      idNumber: p.idNumber,
      address: p.address,
      mobile: p.mobile,
      email: p.email,
      declaredAt: '2026-11-25T09:00:00+07:00',
    }),
  );
}

function toBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.end();
  });
}

async function emptyPdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  doc.text('Mau so 01');
  return toBuffer(doc);
}

const FONT_DIR = path.resolve(path.dirname(SELF), '..', '..', 'resources', 'fonts');
const NAIVE_FONTS = ['DejaVuSerif', 'DejaVuSerif-Bold', 'DejaVuSerif-Italic', 'DejaVuSans'].map((f) =>
  readFileSync(path.join(FONT_DIR, `${f}.ttf`)),
);

/** The naive way: bytes to pdfkit per document (each document parses its fonts), same text volume. */
async function naiveForm(d: Dossier): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  NAIVE_FONTS.forEach((bytes, i) => doc.registerFont(`f${i}`, bytes));
  for (let i = 0; i < 4; i++) {
    doc.font(`f${i}`);
    for (let j = 0; j < 10; j++)
      doc.text(`${d.fullName} ${d.address} Cơ quan/tổ chức/cá nhân tôi cam kết hoàn toàn ☒`);
  }
  return toBuffer(doc);
}

async function timeEach(count: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  return times;
}

/** CPU time of this process (user + system, ms): less disturbed than wall time on a shared machine. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;

// ---------------------------------------------------------------- child: one memory run

type MemoryRun = {
  mode: string;
  count: number;
  ms: number;
  cpu: number;
  baseRss: number;
  peakRss: number;
  peakHeap: number;
  /** heap still in use after a full GC at the end, minus the same at the start: what the batch kept */
  retained: number;
};

async function child(mode: 'separate' | 'stream', count: number): Promise<MemoryRun> {
  const template: FormTemplate = templateById('mau01-2025');
  const agency = demoAgency('903');
  const list = dossiers(count);
  // Warm up (fonts parsed, code compiled) before the baseline is read.
  for (const d of list.slice(0, 5)) await renderMau01(d, agency, template);
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  const baseHeap = process.memoryUsage().heapUsed;
  let peakRss = baseRss;
  let peakHeap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 5);
  const t = performance.now();
  const cpu0 = cpuMs();
  if (mode === 'separate') {
    for (const d of list) {
      await renderMau01(d, agency, template);
      sample();
    }
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'print-bench-'));
    try {
      await renderMau01Batch(
        list.map((dossier) => ({ dossier, agency })),
        createWriteStream(path.join(dir, 'batch.pdf')),
        { template, onProgress: sample },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ms = performance.now() - t;
  const cpu = cpuMs() - cpu0;
  clearInterval(timer);
  global.gc?.();
  return {
    mode,
    count,
    ms,
    cpu,
    baseRss,
    peakRss,
    peakHeap,
    retained: process.memoryUsage().heapUsed - baseHeap,
  };
}

function runChild(mode: string, count: number): MemoryRun {
  const res = spawnSync(
    process.execPath,
    [...process.execArgv, '--expose-gc', SELF, '--child', mode, String(count)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  const line = res.stdout.trim().split('\n').at(-1) ?? '';
  if (res.status !== 0 || !line.startsWith('{')) throw new Error(`bench child failed: ${res.stderr}`);
  return JSON.parse(line) as MemoryRun;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    const run = await child(
      process.argv[childAt + 1] as 'separate' | 'stream',
      Number(process.argv[childAt + 2]),
    );
    console.log(JSON.stringify(run));
    return;
  }
  console.log(
    `Printing benchmark (${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)}, Node ${process.version})`,
  );
  const template = templateById('mau01-2025');
  const agency = demoAgency('903');
  const list = dossiers(Math.max(BATCH, 60));

  const tCold = performance.now();
  await renderMau01(list[0] as Dossier, agency, template);
  const cold = performance.now() - tCold;

  await emptyPdf();
  const floor = await timeEach(50, () => emptyPdf());
  const naive = await timeEach(30, (i) => naiveForm(list[i] as Dossier));
  const cpuForms0 = cpuMs();
  const forms = await timeEach(60, (i) => renderMau01(list[i] as Dossier, agency, template));
  const cpuForm = (cpuMs() - cpuForms0) / 60;
  const cpuNaive0 = cpuMs();
  await timeEach(30, (i) => naiveForm(list[i] as Dossier));
  const cpuNaive = (cpuMs() - cpuNaive0) / 30;
  console.log('\nOne document');
  console.log(`  baseline: empty one-line PDF (built-in font)   median ${median(floor).toFixed(1)} ms`);
  console.log(
    `  baseline: fonts from bytes per document        median ${median(naive).toFixed(1)} ms (CPU ${cpuNaive.toFixed(1)} ms)`,
  );
  console.log(`  filled Mẫu 01, first of the process (cold)     ${cold.toFixed(0)} ms (fonts parsed once)`);
  console.log(
    `  filled Mẫu 01, warm                            median ${median(forms).toFixed(1)} ms, p95 ${p95(forms).toFixed(1)} ms (CPU ${cpuForm.toFixed(1)} ms)`,
  );

  const cpuSeparate0 = cpuMs();
  const separate = await timeEach(BATCH, (i) =>
    renderMau01(list[i % list.length] as Dossier, agency, template),
  );
  const cpuSeparate = (cpuMs() - cpuSeparate0) / BATCH;
  console.log(`\nBatch of ${BATCH} (target ≤ 20 ms per form)`);
  console.log(
    `  ${BATCH} separate PDFs: ${(separate.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s, ${mean(separate).toFixed(1)} ms/form (CPU ${cpuSeparate.toFixed(1)} ms/form)`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'print-bench-'));
  try {
    const file = path.join(dir, 'batch.pdf');
    const t = performance.now();
    const cpu0 = cpuMs();
    await renderMau01Batch(
      list.slice(0, BATCH).map((dossier) => ({ dossier, agency })),
      createWriteStream(file),
      { template },
    );
    const ms = performance.now() - t;
    const cpu = (cpuMs() - cpu0) / BATCH;
    console.log(
      `  one streamed print job: ${(ms / 1000).toFixed(1)} s, ${(ms / BATCH).toFixed(1)} ms/form (CPU ${cpu.toFixed(1)} ms/form), ${mb(readFileSync(file).length)} file`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(`\nPeak memory, ${SMALL} vs ${BATCH} forms (each in a fresh process, after 5 warm-up forms)`);
  for (const mode of ['separate', 'stream'] as const) {
    const small = runChild(mode, SMALL);
    const large = runChild(mode, BATCH);
    const growth = (r: MemoryRun): number => r.peakRss - r.baseRss;
    console.log(
      `  ${mode === 'separate' ? 'separate PDFs ' : 'streamed job  '}` +
        `${SMALL}: peak +${mb(growth(small))} RSS, kept ${mb(small.retained)} heap after GC (${(small.ms / SMALL).toFixed(1)} ms/form, CPU ${(small.cpu / SMALL).toFixed(1)})   ` +
        `${BATCH}: peak +${mb(growth(large))} RSS, kept ${mb(large.retained)} heap after GC (${(large.ms / BATCH).toFixed(1)} ms/form, CPU ${(large.cpu / BATCH).toFixed(1)})`,
    );
  }
}

await main();
