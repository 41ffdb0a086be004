// Why does a plain pipeline (native `tesseract` with Debian's `vie`, one full-page pass, no clean-up,
// regular expressions) read Mẫu 01 better and faster than our recogniser? This runs both, and the
// steps between them, on the same corpus pages and prints time and fields per configuration:
//   engine (native / tesseract.js) × model (Debian's tessdata_fast `vie` / the bundled best_int) ×
//   image (as scanned / our clean-up: upscale to 300 dpi, deskew, median, Otsu) × region (whole page /
//   top 55 %), each read by the plain regexes and by our extractor.
// Run: npx tsx tests/bench/ocr-steps.ts [--pages 12]   (makes the corpus's Mẫu 01 pages if needed)

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createWorker, PSM, type Worker } from 'tesseract.js';
import { plan } from '../corpus/corpus.js';
import { defaultCorpusDir, ensureCorpus } from '../corpus/generate.js';
import { loadPages } from '../../scanner/image/load.js';
import { greyOf, topRows } from '../../scanner/image/grey.js';
import { encodePgm, prepareForOcr } from '../../scanner/ocr/preprocess.js';
import { plainMau01Fields } from './plainPipeline.js';
import { defaultLangPath } from '../../scanner/ocr/pool.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { pages: { type: 'string', default: '12' } } });

type Config = {
  name: string;
  engine: 'native' | 'js';
  model: 'fast' | 'best_int';
  prepared: boolean;
  top: boolean;
};
const CONFIGS: Config[] = [
  {
    name: 'plain: native fast, page as scanned, whole page',
    engine: 'native',
    model: 'fast',
    prepared: false,
    top: false,
  },
  {
    name: 'native best_int, as scanned, whole page',
    engine: 'native',
    model: 'best_int',
    prepared: false,
    top: false,
  },
  { name: 'native fast, our clean-up, top 55 %', engine: 'native', model: 'fast', prepared: true, top: true },
  {
    name: 'tesseract.js fast, as scanned, whole page',
    engine: 'js',
    model: 'fast',
    prepared: false,
    top: false,
  },
  {
    name: 'tesseract.js best_int, as scanned, whole page',
    engine: 'js',
    model: 'best_int',
    prepared: false,
    top: false,
  },
  {
    name: 'tesseract.js best_int, our clean-up, whole page',
    engine: 'js',
    model: 'best_int',
    prepared: true,
    top: false,
  },
  {
    name: 'ours: tesseract.js best_int, our clean-up, top 55 %',
    engine: 'js',
    model: 'best_int',
    prepared: true,
    top: true,
  },
];
const FIELDS = ['dossierNumber', 'fullName', 'bhxhCode', 'idNumber', 'address', 'email', 'mobile'];

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ocr-steps-'));
  const fastDir = path.join(dir, 'fast');
  const bestDir = path.join(dir, 'best');
  await run('mkdir', ['-p', fastDir, bestDir]);
  await writeFile(
    path.join(fastDir, 'vie.traineddata'),
    await readFile('/usr/share/tesseract-ocr/5/tessdata/vie.traineddata'),
  );
  await writeFile(
    path.join(bestDir, 'vie.traineddata'),
    gunzipSync(await readFile(path.join(defaultLangPath(), 'vie.traineddata.gz'))),
  );
  const items = plan()
    .filter((i) => i.doc === 'mau01' && i.layout === 'portal')
    .slice(0, Number(values.pages));
  const files = await ensureCorpus(defaultCorpusDir(), items);
  const workers = new Map<string, Worker>();
  for (const model of ['fast', 'best_int'] as const) {
    const w = await createWorker('vie', 1, {
      langPath: model === 'fast' ? fastDir : bestDir,
      gzip: false,
      cacheMethod: 'none',
    });
    await w.setParameters({ tessedit_pageseg_mode: PSM.AUTO });
    workers.set(model, w);
  }
  const { extractFields } = await import('../../scanner/ocr/extract.js');
  const results = CONFIGS.map(() => ({
    ms: [] as number[],
    plain: {} as Record<string, number>,
    ours: {} as Record<string, number>,
    n: {} as Record<string, number>,
  }));
  for (const f of files) {
    const [page] = await loadPages(f.file, { maxPages: 1 });
    const grey = await greyOf(page!);
    const dpi = page!.dpi ?? 300;
    for (const [ci, c] of CONFIGS.entries()) {
      const region = c.top ? topRows(grey, 0.55) : grey;
      // "our clean-up" is the recogniser's clean-up before this comparison: flatten off, upscale
      // < 250 dpi to 300, 3×3 median, Otsu binarisation.
      const image = c.prepared
        ? await prepareForOcr(region, {
            dpi,
            flatten: false,
            upscaleBelowDpi: 250,
            upscaleTo: 300,
            median: true,
            binarise: true,
          })
        : { bytes: encodePgm(region), dpi };
      let text = '';
      let lines: Array<{
        text: string;
        confidence: number;
        bbox: { x0: number; y0: number; x1: number; y1: number };
      }> = [];
      const t0 = process.hrtime.bigint();
      if (c.engine === 'native') {
        const file = path.join(dir, 'page.pgm');
        await writeFile(file, image.bytes);
        const t1 = process.hrtime.bigint();
        const out = await run(
          'tesseract',
          [
            '--tessdata-dir',
            c.model === 'fast' ? fastDir : bestDir,
            file,
            '-',
            '-l',
            'vie',
            '--psm',
            '3',
            '--dpi',
            String(image.dpi),
          ],
          {
            env: { ...process.env, OMP_THREAD_LIMIT: '1' },
          },
        );
        results[ci]!.ms.push(Number(process.hrtime.bigint() - t1) / 1e6);
        text = out.stdout.normalize('NFC');
        lines = text
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => ({ text: l, confidence: 90, bbox: { x0: 0, y0: 0, x1: 0, y1: 0 } }));
      } else {
        const w = workers.get(c.model)!;
        await w.setParameters({ user_defined_dpi: String(image.dpi) });
        const r = await w.recognize(image.bytes, {}, { text: true, blocks: true });
        results[ci]!.ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
        text = r.data.text.normalize('NFC');
        lines = (r.data.blocks ?? []).flatMap((b) =>
          b.paragraphs.flatMap((p) =>
            p.lines.map((l) => ({
              text: l.text.normalize('NFC').trim(),
              confidence: l.confidence,
              bbox: l.bbox,
            })),
          ),
        );
      }
      const plain = plainMau01Fields(text);
      const ours = extractFields({ text, confidence: 0, lines }, 'mau01')?.fields ?? {};
      for (const k of FIELDS) {
        const want = f.truth[k];
        if (want === undefined) continue;
        const r = results[ci]!;
        r.n[k] = (r.n[k] ?? 0) + 1;
        if ((plain as Record<string, string | undefined>)[k] === want) r.plain[k] = (r.plain[k] ?? 0) + 1;
        if ((ours as Record<string, string | undefined>)[k] === want) r.ours[k] = (r.ours[k] ?? 0) + 1;
      }
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  for (const w of workers.values()) await w.terminate();
  await rm(dir, { recursive: true, force: true });
  console.log(
    `${files.length} portal Mẫu 01 pages (clean and degraded, 150–300 dpi); load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('fields right (plain regexes | our extractor) and mean OCR time per page');
  for (const [ci, c] of CONFIGS.entries()) {
    const r = results[ci]!;
    const mean = r.ms.reduce((a, b) => a + b, 0) / r.ms.length;
    console.log(
      `${c.name.padEnd(52)} ${mean.toFixed(0).padStart(5)} ms  ${FIELDS.map((k) => `${k} ${r.plain[k] ?? 0}|${r.ours[k] ?? 0}/${r.n[k] ?? 0}`).join('  ')}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
