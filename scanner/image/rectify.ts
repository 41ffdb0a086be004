// A phone photo of a form or card, made flat again before OCR. The paper lies on a darker desk and the
// camera looks at it at an angle: its edges are a quadrilateral, not the image's rectangle, its lines
// converge, and the layout reader (which finds a Mẫu 01's lines from the rows of ink) then finds too
// few labels and falls back to reading the whole page, which reads less well. Found here:
//   1. on a copy ≤ 400 px long, the paper: the largest connected area brighter than Otsu's threshold,
//      but only when the image's border is mostly darker than that (a desk around the paper; a scan's
//      border is paper, and a scan is left alone);
//   2. its four corners: the paper's extreme points along the two diagonals (x + y, x − y), which holds
//      for a page turned up to ~30° and corners pulled by a few per cent;
//   3. the page warped back to a rectangle as wide and high as the quadrilateral's longer opposite
//      sides, by the homography that maps the rectangle onto the four corners, sampled bilinearly.
// A 150-dpi A4 photo costs ~60 ms. Nothing is done when the corners make no plausible page (a quarter
// of the image at least, convex, sides not collapsed): the image goes on as it was.

import type { Grey } from './analyse.js';
import { otsuThreshold } from './analyse.js';
import { resizeGrey } from './grey.js';

export type Point = readonly [number, number];

/** The 3×3 homography (row-major, h33 = 1) mapping the four `from` points onto `to`. */
export function homography(from: readonly Point[], to: readonly Point[]): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i] as Point;
    const [u, v] = to[i] as Point;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gauss–Jordan elimination with partial pivoting on the 8 × 9 system.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++)
      if (Math.abs((a[r] as number[])[c] as number) > Math.abs((a[p] as number[])[c] as number)) p = r;
    [a[c], a[p]] = [a[p] as number[], a[c] as number[]];
    const row = a[c] as number[];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const other = a[r] as number[];
      const f = (other[c] as number) / (row[c] as number);
      for (let k = c; k < 9; k++) other[k] = (other[k] as number) - f * (row[k] as number);
    }
  }
  return [...a.map((r, c) => (r[8] as number) / (r[c] as number)), 1];
}

export type Quad = { corners: [Point, Point, Point, Point]; width: number; height: number };

const MAX_SIDE = 400;

/** The paper's corners (top-left, top-right, bottom-right, bottom-left) in `grey`'s pixels, or null. */
export async function findPaper(grey: Grey): Promise<Quad | null> {
  const scale = Math.min(1, MAX_SIDE / Math.max(grey.width, grey.height));
  const small =
    scale < 1
      ? await resizeGrey(
          grey,
          Math.max(8, Math.round(grey.width * scale)),
          Math.max(8, Math.round(grey.height * scale)),
        )
      : grey;
  const { data, width: w, height: h } = small;
  const t = otsuThreshold(data);
  // A desk around the paper: most of the image's outermost ring darker than the threshold.
  let dark = 0;
  let ring = 0;
  for (let x = 0; x < w; x++) {
    for (const y of [0, h - 1]) {
      ring++;
      if ((data[y * w + x] as number) < t) dark++;
    }
  }
  for (let y = 1; y < h - 1; y++) {
    for (const x of [0, w - 1]) {
      ring++;
      if ((data[y * w + x] as number) < t) dark++;
    }
  }
  if (dark / ring < 0.6) return null;
  // The largest 4-connected bright area (text inside the paper leaves holes, not gaps at its edge).
  const label = new Int32Array(w * h).fill(-1);
  const stack: number[] = [];
  let best = { id: -1, size: 0 };
  let id = 0;
  for (let start = 0; start < w * h; start++) {
    if (label[start] !== -1 || (data[start] as number) < t) continue;
    let size = 0;
    label[start] = id;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop() as number;
      size++;
      const x = i % w;
      const neighbours = [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w];
      for (const n of neighbours) {
        if (n < 0 || n >= w * h || label[n] !== -1 || (data[n] as number) < t) continue;
        label[n] = id;
        stack.push(n);
      }
    }
    if (size > best.size) best = { id, size };
    id++;
  }
  if (best.size < w * h * 0.25) return null;
  let tl: Point = [0, 0];
  let tr: Point = [0, 0];
  let br: Point = [0, 0];
  let bl: Point = [0, 0];
  let [minSum, maxSum, maxDiff, minDiff] = [Infinity, -Infinity, -Infinity, Infinity];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (label[y * w + x] !== best.id) continue;
      const s = x + y;
      const d = x - y;
      if (s < minSum) [minSum, tl] = [s, [x, y]];
      if (s > maxSum) [maxSum, br] = [s, [x + 1, y + 1]];
      if (d > maxDiff) [maxDiff, tr] = [d, [x + 1, y]];
      if (d < minDiff) [minDiff, bl] = [d, [x, y + 1]];
    }
  }
  // Each corner moved 1 % of the paper's size inwards: the paper's edge itself, blurred into the desk,
  // would come back as a dark rule along the page that OCR reads as "|" after every line.
  const cx = (tl[0] + tr[0] + br[0] + bl[0]) / 4;
  const cy = (tl[1] + tr[1] + br[1] + bl[1]) / 4;
  const back = (p: Point): Point => [
    (p[0] + (cx - p[0]) * 0.02) / scale,
    (p[1] + (cy - p[1]) * 0.02) / scale,
  ];
  const corners: [Point, Point, Point, Point] = [back(tl), back(tr), back(br), back(bl)];
  const dist = (p: Point, q: Point): number => Math.hypot(p[0] - q[0], p[1] - q[1]);
  const width = Math.round(Math.max(dist(corners[0], corners[1]), dist(corners[3], corners[2])));
  const height = Math.round(Math.max(dist(corners[0], corners[3]), dist(corners[1], corners[2])));
  // Plausible: convex (every turn the same way), no side shorter than a fifth of the image's.
  const cross = (o: Point, p: Point, q: Point): number =>
    (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0]);
  const turns = corners.map((c, i) => cross(c, corners[(i + 1) % 4] as Point, corners[(i + 2) % 4] as Point));
  if (!turns.every((v) => v > 0)) return null;
  if (width < grey.width * 0.2 || height < grey.height * 0.2) return null;
  return { corners, width, height };
}

/** `grey` warped so that `quad` becomes the whole image (white outside the source). */
export function warpToRectangle(grey: Grey, quad: Quad): Grey {
  const { width: W, height: H } = quad;
  const m = homography(
    [
      [0, 0],
      [W, 0],
      [W, H],
      [0, H],
    ],
    quad.corners,
  );
  const [m0, m1, m2, m3, m4, m5, m6, m7] = m as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const { data, width: w, height: h } = grey;
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const z = m6 * x + m7 * y + 1;
      const sx = (m0 * x + m1 * y + m2) / z;
      const sy = (m3 * x + m4 * y + m5) / z;
      const o = y * W + x;
      if (sx < 0 || sy < 0 || sx >= w - 1 || sy >= h - 1) {
        out[o] = 255;
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * w + x0;
      const top = (data[i] as number) * (1 - fx) + (data[i + 1] as number) * fx;
      const bottom = (data[i + w] as number) * (1 - fx) + (data[i + w + 1] as number) * fx;
      out[o] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { data: out, width: W, height: H };
}

/** A phone photo's paper made rectangular, or `grey` itself when there is no desk around it. */
export async function rectifyPhoto(grey: Grey): Promise<{ grey: Grey; rectified: boolean }> {
  const quad = await findPaper(grey);
  if (!quad) return { grey, rectified: false };
  return { grey: warpToRectangle(grey, quad), rectified: true };
}
