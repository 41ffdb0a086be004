// `npm run icons`: the installers' icons in resources/build from one drawing (resources/build/icon.svg):
// icon.png (1024 px), icons/<n>x<n>.png for Linux, icon.ico (Windows: 16–256 px, PNG entries) and
// icon.icns (macOS: 16–1024 px, PNG entries). sharp draws the PNGs; the two containers are small enough
// to write here (ICO: a 6-byte header and a 16-byte entry per image; ICNS: an 8-byte header and an
// 8-byte header per image). The outputs are committed; run this again only after changing the drawing.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'resources', 'build');
const svg = readFileSync(path.join(dir, 'icon.svg'));

async function png(size: number): Promise<Buffer> {
  return sharp(svg, { density: Math.max(72, (72 * size) / 256) })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** Windows .ico holding PNG images (Vista and later read them; 256 is written as 0). */
export function ico(images: Array<{ size: number; data: Buffer }>): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries: Buffer[] = [];
  let offset = 6 + 16 * images.length;
  for (const { size, data } of images) {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0);
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.data)]);
}

/** macOS .icns holding PNG images, by Apple's type codes. */
export function icns(images: Array<{ type: string; data: Buffer }>): Buffer {
  const parts = images.map(({ type, data }) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'latin1');
    h.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([h, data]);
  });
  const total = 8 + parts.reduce((n, p) => n + p.length, 0);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'latin1');
  h.writeUInt32BE(total, 4);
  return Buffer.concat([h, ...parts]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
  const pngs = new Map<number, Buffer>();
  for (const s of sizes) pngs.set(s, await png(s));
  writeFileSync(path.join(dir, 'icon.png'), pngs.get(1024)!);
  mkdirSync(path.join(dir, 'icons'), { recursive: true });
  for (const s of [16, 24, 32, 48, 64, 128, 256, 512])
    writeFileSync(path.join(dir, 'icons', `${s}x${s}.png`), pngs.get(s)!);
  writeFileSync(
    path.join(dir, 'icon.ico'),
    ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, data: pngs.get(size)! }))),
  );
  writeFileSync(
    path.join(dir, 'icon.icns'),
    icns([
      { type: 'icp4', data: pngs.get(16)! },
      { type: 'icp5', data: pngs.get(32)! },
      { type: 'icp6', data: pngs.get(64)! },
      { type: 'ic07', data: pngs.get(128)! },
      { type: 'ic08', data: pngs.get(256)! },
      { type: 'ic09', data: pngs.get(512)! },
      { type: 'ic10', data: pngs.get(1024)! },
    ]),
  );
  console.log(`Đã tạo biểu tượng trong ${path.relative(root, dir)}.`);
}
