// The ways paper reaches the counter badly, applied to a clean corpus image, deterministic from a seed:
// JPEG at quality 40–70, blur, ±3° skew, uneven light, photocopy noise, and a phone photo's perspective
// (the document on a desk, its corners pulled a few per cent). Each degraded image takes one to three.

import sharp, { type Sharp } from 'sharp';
import { createRandom } from '../../contract/synthetic.js';
import { homography, type Point } from '../../scanner/image/rectify.js';

export type DegradationName = 'jpeg' | 'blur' | 'skew' | 'light' | 'photocopy' | 'perspective';
export const DEGRADATION_NAMES: readonly DegradationName[] = [
  'jpeg',
  'blur',
  'skew',
  'light',
  'photocopy',
  'perspective',
];

export type Degradation = {
  jpegQuality?: number;
  blur?: number;
  skew?: number;
  light?: { strength: number; angle: number };
  photocopy?: { seed: number; amount: number };
  perspective?: { seed: number; pull: number };
};

/** A degradation made of `names`, with parameters drawn from `seed`. */
export function degradationFor(names: readonly DegradationName[], seed: number): Degradation {
  const rnd = createRandom(seed);
  const d: Degradation = {};
  for (const n of names) {
    switch (n) {
      case 'jpeg':
        d.jpegQuality = 40 + Math.round(rnd() * 30);
        break;
      case 'blur':
        d.blur = Math.round((0.6 + rnd() * 0.6) * 100) / 100;
        break;
      case 'skew':
        d.skew = Math.round((1 + rnd() * 2) * (rnd() < 0.5 ? -1 : 1) * 10) / 10;
        break;
      case 'light':
        d.light = { strength: 0.3 + rnd() * 0.25, angle: rnd() * Math.PI * 2 };
        break;
      case 'photocopy':
        d.photocopy = { seed: Math.floor(rnd() * 1e9), amount: 0.6 + rnd() * 0.4 };
        break;
      case 'perspective':
        d.perspective = { seed: Math.floor(rnd() * 1e9), pull: 0.02 + rnd() * 0.03 };
        break;
      default: {
        const never: never = n;
        throw new Error(String(never));
      }
    }
  }
  return d;
}

export function describeDegradation(d: Degradation): string {
  const parts: string[] = [];
  if (d.perspective) parts.push(`perspective ${(d.perspective.pull * 100).toFixed(1)}%`);
  if (d.skew) parts.push(`skew ${d.skew}°`);
  if (d.photocopy) parts.push('photocopy');
  if (d.light) parts.push(`light ${(d.light.strength * 100).toFixed(0)}%`);
  if (d.blur) parts.push(`blur σ${d.blur}`);
  if (d.jpegQuality) parts.push(`jpeg q${d.jpegQuality}`);
  return parts.join(', ') || 'clean';
}

type Raw = { data: Buffer; width: number; height: number; channels: 1 | 3 };

async function toRaw(png: Buffer): Promise<Raw> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as 1 | 3 };
}
const fromRaw = (r: Raw): Sharp =>
  sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels } });

/** A phone photo: the page on a darker desk, its corners moved by up to `pull` of its size, warped. */
async function perspective(png: Buffer, seed: number, pull: number): Promise<Buffer> {
  const src = await toRaw(await sharp(png).toColourspace('srgb').png().toBuffer());
  const rnd = createRandom(seed);
  const { width: w, height: h } = src;
  const margin = Math.round(Math.max(w, h) * 0.06);
  const W = w + 2 * margin;
  const H = h + 2 * margin;
  const jitter = (): number => (rnd() * 2 - 1) * pull * Math.max(w, h);
  const dst: Point[] = [
    [margin + jitter(), margin + jitter()],
    [margin + w + jitter(), margin + jitter()],
    [margin + w + jitter(), margin + h + jitter()],
    [margin + jitter(), margin + h + jitter()],
  ];
  // Map output pixels back into the source: homography from dst to src corners.
  const m = homography(dst, [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ]);
  const out = Buffer.alloc(W * H * 3);
  const ch = src.channels;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const z = (m[6] as number) * x + (m[7] as number) * y + 1;
      const sx = ((m[0] as number) * x + (m[1] as number) * y + (m[2] as number)) / z;
      const sy = ((m[3] as number) * x + (m[4] as number) * y + (m[5] as number)) / z;
      const o = (y * W + x) * 3;
      if (sx < 0 || sy < 0 || sx >= w - 1 || sy >= h - 1) {
        // the desk: a brownish grey with a soft gradient
        const g = 120 + Math.round((40 * y) / H);
        out[o] = g + 10;
        out[o + 1] = g;
        out[o + 2] = g - 15;
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const cc = ch === 1 ? 0 : c;
        const p = (yy: number, xx: number): number => src.data[(yy * w + xx) * ch + cc] as number;
        const v =
          (p(y0, x0) * (1 - fx) + p(y0, x0 + 1) * fx) * (1 - fy) +
          (p(y0 + 1, x0) * (1 - fx) + p(y0 + 1, x0 + 1) * fx) * fy;
        out[o + c] = Math.round(v);
      }
    }
  }
  return fromRaw({ data: out, width: W, height: H, channels: 3 }).png().toBuffer();
}

/** Uneven light: a linear falloff across the page at `angle`, darkening by up to `strength`. */
async function unevenLight(png: Buffer, strength: number, angle: number): Promise<Buffer> {
  const r = await toRaw(png);
  const { width: w, height: h, channels: ch } = r;
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  const span = Math.abs(ux) * w + Math.abs(uy) * h;
  const c0 = (ux < 0 ? w : 0) * ux + (uy < 0 ? h : 0) * uy;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const t = (x * ux + y * uy - c0) / span; // 0..1 along the light's direction
      const f = 1 - strength * t * t;
      for (let c = 0; c < ch; c++) {
        const i = (y * w + x) * ch + c;
        r.data[i] = Math.round((r.data[i] as number) * f);
      }
    }
  return fromRaw(r).png().toBuffer();
}

/** A photocopy: greyer paper, heavier strokes, toner specks and streaks. */
async function photocopy(png: Buffer, seed: number, amount: number): Promise<Buffer> {
  const rnd = createRandom(seed);
  const { data, info } = await sharp(png)
    .greyscale()
    .linear(1.25, -30)
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const r: Raw = { data, width: info.width, height: info.height, channels: 1 };
  const w = r.width;
  const streakX = Math.floor(rnd() * w);
  for (let i = 0; i < r.data.length; i++) {
    let v = (r.data[i] as number) - 18 * amount + (rnd() - 0.5) * 30 * amount;
    if (rnd() < 0.0015 * amount) v = 20 + rnd() * 60;
    const x = i % w;
    if (Math.abs(x - streakX) < 2) v -= 50 * amount;
    r.data[i] = Math.max(0, Math.min(255, Math.round(v)));
  }
  return fromRaw(r).png().toBuffer();
}

/** Apply `d` to a clean image; keeps the density so the recogniser still knows the dpi. */
export async function applyDegradation(png: Buffer, d: Degradation): Promise<Buffer> {
  const dpi = (await sharp(png).metadata()).density ?? 300;
  let out = png;
  if (d.perspective) out = await perspective(out, d.perspective.seed, d.perspective.pull);
  if (d.skew) out = await sharp(out).rotate(d.skew, { background: '#ffffff' }).png().toBuffer();
  if (d.photocopy) out = await photocopy(out, d.photocopy.seed, d.photocopy.amount);
  if (d.light) out = await unevenLight(out, d.light.strength, d.light.angle);
  if (d.blur) out = await sharp(out).blur(d.blur).png().toBuffer();
  if (d.jpegQuality)
    return sharp(out).withMetadata({ density: dpi }).jpeg({ quality: d.jpegQuality }).toBuffer();
  return sharp(out).withMetadata({ density: dpi }).png().toBuffer();
}
