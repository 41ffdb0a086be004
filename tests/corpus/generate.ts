// Writes the corpus to a git-ignored folder (default .corpus/v<version>/): one image per item and
// truth.jsonl (one item a line: id, kind, layout, font, dpi, QR state, degradation, truth, file).
// Images already there are kept, so a second run is instant.
//   npx tsx tests/corpus/generate.ts [--out .corpus] [--only mau01,cmnd,cccd_front,cccd_back] [--limit N]

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CORPUS_VERSION, describeItem, plan, renderItem, type CorpusItem, type DocKind } from './corpus.js';
import { missingFonts } from './text.js';

export type CorpusFile = CorpusItem & { file: string };

const extensionOf = (item: CorpusItem): string => (item.degradation?.jpegQuality ? 'jpg' : 'png');

/** Make (or reuse) the images of `items` under `dir`; returns each item with its file. */
export async function ensureCorpus(
  dir: string,
  items: CorpusItem[],
  onProgress?: (done: number, total: number, item: CorpusItem) => void,
): Promise<CorpusFile[]> {
  const missing = missingFonts();
  if (missing.length)
    throw new Error(
      `Thiếu phông chữ cho bộ ảnh mẫu: ${missing.join(', ')} (apt-get install fonts-liberation fonts-dejavu-core)`,
    );
  const images = path.join(dir, 'images');
  await mkdir(images, { recursive: true });
  const out: CorpusFile[] = [];
  let done = 0;
  for (const item of items) {
    const file = path.join(images, `${item.id}.${extensionOf(item)}`);
    if (!existsSync(file)) await writeFile(file, await renderItem(item));
    out.push({ ...item, file });
    onProgress?.(++done, items.length, item);
  }
  await writeFile(path.join(dir, 'truth.jsonl'), out.map((i) => JSON.stringify(i)).join('\n') + '\n');
  return out;
}

export function defaultCorpusDir(root = '.corpus'): string {
  return path.join(root, `v${CORPUS_VERSION}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '.corpus' },
      only: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  const only = values.only ? new Set(values.only.split(',') as DocKind[]) : null;
  let items = plan().filter((i) => !only || only.has(i.doc));
  if (values.limit) items = items.slice(0, Number(values.limit));
  const dir = defaultCorpusDir(values.out);
  const t0 = Date.now();
  await ensureCorpus(dir, items, (done, total, item) => {
    process.stderr.write(`\r${done}/${total} ${describeItem(item).slice(0, 90).padEnd(90)}`);
  });
  process.stderr.write('\n');
  const byDoc = new Map<string, number>();
  for (const i of items) byDoc.set(i.doc, (byDoc.get(i.doc) ?? 0) + 1);
  console.log(
    `${items.length} images in ${dir} (${[...byDoc].map(([k, n]) => `${k} ${n}`).join(', ')}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('tests', 'corpus', 'generate.ts'))) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
