// A phone photo made flat again (scanner/image/rectify.ts): a page with level bars of "text", put on a
// desk and warped by the corpus's phone perspective (corners pulled 5 %), comes back rectangular with
// its bars level; a scan (paper to the image's edges, no desk) is left alone.

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeGreyBytes } from '../../../scanner/image/grey.js';
import { findPaper, rectifyPhoto } from '../../../scanner/image/rectify.js';
import type { Grey } from '../../../scanner/image/analyse.js';
import { applyDegradation } from '../../corpus/degrade.js';

const W = 600;
const H = 840;
/** A white page with 20 black bars from margin to margin. */
async function page(): Promise<Buffer> {
  const bars = Array.from(
    { length: 20 },
    (_, i) => `<rect x="60" y="${80 + i * 34}" width="480" height="10"/>`,
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#fff"/>${bars.join('')}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** The rows (y) where a column of the image meets ink, top to bottom: the bars' tops. */
function barTops(g: Grey, x: number): number[] {
  const tops: number[] = [];
  for (let y = 1; y < g.height; y++) {
    const ink = (g.data[y * g.width + x] as number) < 128;
    const above = (g.data[(y - 1) * g.width + x] as number) < 128;
    if (ink && !above) tops.push(y);
  }
  return tops;
}

describe('rectifying a phone photo', () => {
  it('finds the paper on the desk and makes its lines level again', async () => {
    const photo = await decodeGreyBytes(
      await applyDegradation(await page(), { perspective: { seed: 7, pull: 0.05 } }),
    );
    const quad = await findPaper(photo);
    expect(quad).not.toBeNull();
    const { grey, rectified } = await rectifyPhoto(photo);
    expect(rectified).toBe(true);
    // each bar's top at its left and right end within 3 px (of 840)
    const left = barTops(grey, Math.round(grey.width * 0.15));
    const right = barTops(grey, Math.round(grey.width * 0.85));
    expect(left).toHaveLength(20);
    expect(right).toHaveLength(20);
    for (let i = 0; i < 20; i++)
      expect(Math.abs((left[i] as number) - (right[i] as number))).toBeLessThanOrEqual(3);
  });

  it('leaves a scan alone: no desk around the paper', async () => {
    const scan = await decodeGreyBytes(await page());
    expect(await findPaper(scan)).toBeNull();
    const { grey, rectified } = await rectifyPhoto(scan);
    expect(rectified).toBe(false);
    expect(grey).toBe(scan);
  });
});
