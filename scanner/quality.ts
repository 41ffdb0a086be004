// The quality gate: before a scan or photo is accepted for OCR, measure its resolution, sharpness,
// skew and exposure, and ask for a rescan with a reason the officer understands when it is too poor.

import { QUALITY_PROBLEM_MESSAGE, type QualityProblem, type QualityReport } from '../contract/scan.js';
import {
  estimateSkew,
  inkRatio,
  laplacianVariance,
  meanOf,
  otsuThreshold,
  type Grey,
} from './image/analyse.js';
import { decodeGreyBytes, resizeGrey } from './image/grey.js';

export type QualityThresholds = {
  /** below this effective resolution text is unreadable (the 150-dpi degraded set must pass) */
  minDpi: number;
  /** variance of the Laplacian measured at ~100 dpi (see sharpnessAt) */
  minSharpness: number;
  maxSkewDegrees: number;
  minLongSidePx: number;
};

export const DEFAULT_THRESHOLDS: QualityThresholds = {
  minDpi: 120,
  minSharpness: 250,
  maxSkewDegrees: 8,
  minLongSidePx: 600,
};

// Paper sizes (inches) used to estimate the resolution of photos and files without a density.
const A4 = { long: 11.69, short: 8.27 };
const ID_CARD = { long: 3.37, short: 2.13 };

/** The effective resolution from metadata, or from the paper the aspect ratio suggests. */
export function effectiveDpi(width: number, height: number, metadataDpi: number | null): number | null {
  if (metadataDpi && metadataDpi >= 50 && metadataDpi <= 2400 && metadataDpi !== 72) return metadataDpi;
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  const ratio = long / short;
  for (const paper of [A4, ID_CARD]) {
    if (Math.abs(ratio - paper.long / paper.short) < 0.08) return Math.round(long / paper.long);
  }
  return metadataDpi;
}

export async function assessQuality(
  input: Buffer | Grey,
  options: { dpi?: number | null; thresholds?: Partial<QualityThresholds> } = {},
): Promise<QualityReport> {
  const t = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  let metaDpi: number | null = null;
  if (Buffer.isBuffer(input)) {
    const sharp = (await import('sharp')).default;
    metaDpi = (await sharp(input).metadata()).density ?? null;
  }
  const full = Buffer.isBuffer(input) ? await decodeGreyBytes(input) : input;
  const width = full.width;
  const height = full.height;
  const dpi = effectiveDpi(width, height, options.dpi ?? metaDpi);
  // Sharpness is measured at a fixed ~100 dpi so a 150-dpi and a 300-dpi scan of the same page score alike.
  const targetSide = dpi ? Math.round((Math.max(width, height) * 100) / dpi) : 1200;
  const side = Math.min(Math.max(width, height), Math.max(400, targetSide));
  const s = side / Math.max(width, height);
  const grey = await resizeGrey(full, width * s, height * s);
  const problems: QualityProblem[] = [];
  if (Math.max(width, height) < t.minLongSidePx) problems.push('too_small');
  if (dpi !== null && dpi < t.minDpi) problems.push('low_resolution');
  const sharpness = Math.round(laplacianVariance(grey));
  const mean = meanOf(grey.data);
  const ink = inkRatio(grey.data, Math.min(otsuThreshold(grey.data), 160));
  if (mean < 70) problems.push('too_dark');
  else if (ink < 0.002) problems.push('too_light');
  // A blank or dark page has no edges either: only call it blurry when there is something to read.
  if (!problems.includes('too_light') && !problems.includes('too_dark') && sharpness < t.minSharpness)
    problems.push('blurry');
  const skew = estimateSkew(grey);
  if (Math.abs(skew) > t.maxSkewDegrees) problems.push('skewed');
  return {
    ok: problems.length === 0,
    dpi,
    sharpness,
    skewDegrees: skew,
    meanBrightness: Math.round(mean),
    problems,
    messages: problems.map((p) => QUALITY_PROBLEM_MESSAGE[p]),
  };
}
