// Pixel measurements shared by the quality gate and the OCR clean-up: a greyscale working copy,
// skew by projection profiles, sharpness by the variance of the Laplacian, Otsu's threshold.

export type Grey = { data: Uint8Array; width: number; height: number };

export function otsuThreshold(data: Uint8Array): number {
  const hist = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    hist[v] = (hist[v] as number) + 1;
  }
  const total = data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * (hist[i] ?? 0);
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t] ?? 0;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * (hist[t] ?? 0);
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

/** How far (px) a dark pixel may be from paper, left or right, to count as ink for the skew. */
const INK_REACH = 3;

/**
 * Skew in degrees (positive = text lines rise to the right) from the projection profile of ink
 * sheared by candidate angles: text lines give the sharpest profile when level. Ink is a dark pixel
 * with paper (a light pixel) within INK_REACH px beside it: the edges of strokes, not the inside of
 * large dark areas. A camera still has a desk around the card, darker than the threshold: counted
 * whole, its straight borders with the image's edges outweighed the text and every tilt read 0°.
 */
export function estimateSkew(grey: Grey, maxDegrees = 10): number {
  const { data, width, height } = grey;
  const threshold = Math.min(otsuThreshold(data), 160);
  const xs: number[] = [];
  const ys: number[] = [];
  const light = (i: number): boolean => (data[i] ?? 0) >= threshold;
  // Sample ink (every other column keeps it fast on big pages).
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = INK_REACH; x < width - INK_REACH; x += 2) {
      if ((data[row + x] ?? 255) < threshold && (light(row + x - INK_REACH) || light(row + x + INK_REACH))) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  if (xs.length < 50) return 0;
  const score = (degrees: number): number => {
    const t = Math.tan((degrees * Math.PI) / 180);
    const bins = new Float64Array(height + Math.ceil(width * Math.abs(t)) + 2);
    const offset = t < 0 ? Math.ceil(width * -t) : 0;
    for (let i = 0; i < xs.length; i++) {
      const yy = Math.round((ys[i] as number) - (xs[i] as number) * t) + offset;
      if (yy >= 0 && yy < bins.length) bins[yy] = (bins[yy] as number) + 1;
    }
    let s = 0;
    for (const b of bins) s += b * b;
    return s;
  };
  let best = 0;
  let bestScore = -1;
  for (let a = -maxDegrees; a <= maxDegrees + 1e-9; a += 0.5) {
    const sc = score(a);
    if (sc > bestScore) {
      bestScore = sc;
      best = a;
    }
  }
  const coarse = best;
  for (let a = coarse - 0.5; a <= coarse + 0.5 + 1e-9; a += 0.1) {
    const sc = score(a);
    if (sc > bestScore) {
      bestScore = sc;
      best = a;
    }
  }
  // Image y grows downwards: a line rising to the right has negative slope in pixel space.
  return -Math.round(best * 10) / 10;
}

/** Variance of the 4-neighbour Laplacian: low on blurred images. */
export function laplacianVariance(grey: Grey): number {
  const { data, width, height } = grey;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const v =
        4 * (data[i] as number) -
        (data[i - 1] as number) -
        (data[i + 1] as number) -
        (data[i - width] as number) -
        (data[i + width] as number);
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

export function meanOf(data: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] as number;
  return data.length ? s / data.length : 0;
}

/** Fraction of pixels darker than the threshold (ink coverage). */
export function inkRatio(data: Uint8Array, threshold: number): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if ((data[i] as number) < threshold) n++;
  return data.length ? n / data.length : 0;
}
