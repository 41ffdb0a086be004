// The camera capture's pure rules (contract/capture.ts): the guide frame and its resolution, the
// JPEG resolution written into a real JPEG, getUserMedia's failures in Vietnamese, and the camera's
// reading of the quality gate's verdict.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  CAMERA_MESSAGE,
  CAMERA_MIN_SHARPNESS,
  CAMERA_QUALITY_MESSAGE,
  cameraProblemOf,
  cameraSupport,
  cameraVerdict,
  frameDpi,
  guideRect,
  MIN_TEXT_DPI,
  setJpegDpi,
} from '../../../contract/capture.js';
import { QUALITY_PROBLEM_MESSAGE, type QualityReport } from '../../../contract/scan.js';
import { DEFAULT_THRESHOLDS } from '../../../scanner/quality.js';

describe('guide frame', () => {
  it('frames an ID card on a 1280×720 camera at 958×604 px, ≈ 284 dpi', () => {
    const r = guideRect(1280, 720, 'card');
    expect(r).toEqual({ x: 161, y: 58, width: 958, height: 604 });
    expect(r.width / r.height).toBeCloseTo(85.6 / 54, 2);
    expect(frameDpi(r, 'card')).toBe(284);
  });

  it('keeps the shape on other cameras: 1920×1080, 640×480 (4:3, limited by the width)', () => {
    expect(frameDpi(guideRect(1920, 1080, 'card'), 'card')).toBe(427);
    const vga = guideRect(640, 480, 'card');
    expect(vga.width).toBe(538);
    expect(vga.x + vga.width).toBeLessThanOrEqual(640);
    expect(vga.width / vga.height).toBeCloseTo(85.6 / 54, 1);
  });

  it('an A4 page on a 1280×720 camera is ~58 dpi: under what the gate needs for text', () => {
    const r = guideRect(1280, 720, 'page');
    expect(r.height).toBe(676);
    expect(r.width / r.height).toBeCloseTo(210 / 297, 2);
    expect(frameDpi(r, 'page')).toBe(58);
    expect(frameDpi(r, 'page')).toBeLessThan(MIN_TEXT_DPI);
  });

  it('the portrait photo is 3:4 upright', () => {
    const r = guideRect(1280, 720, 'photo');
    expect(r.width / r.height).toBeCloseTo(0.75, 2);
  });

  it("MIN_TEXT_DPI is the quality gate's own minimum", () => {
    expect(MIN_TEXT_DPI).toBe(DEFAULT_THRESHOLDS.minDpi);
  });
});

describe('JPEG resolution', () => {
  /** A JPEG as Chromium's canvas writes it: JFIF 1.1, units 0 (aspect ratio only), density 1:1. */
  async function browserJpeg(): Promise<Uint8Array> {
    const body = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    const app0 = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    return new Uint8Array([...body.subarray(0, 2), ...app0, ...body.subarray(2)]);
  }

  it('writes dots per inch into a JFIF header that said "aspect ratio only" (read as 72 dpi)', async () => {
    const jpeg = await browserJpeg();
    expect(jpeg[13]).toBe(0);
    expect((await sharp(jpeg).metadata()).density).toBe(72);
    const same = setJpegDpi(jpeg, 284);
    expect(same).toBe(jpeg);
    const meta = await sharp(Buffer.from(jpeg)).metadata();
    expect({ density: meta.density, width: meta.width, height: meta.height }).toEqual({
      density: 284,
      width: 40,
      height: 20,
    });
  });

  it('leaves anything that is not a JFIF JPEG as it is', async () => {
    const bare = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
      .jpeg()
      .toBuffer();
    expect(Buffer.from(setJpegDpi(new Uint8Array(bare), 300)).equals(bare)).toBe(true);
    const png = new Uint8Array(
      await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
        .png()
        .toBuffer(),
    );
    const before = Buffer.from(png);
    expect(Buffer.from(setJpegDpi(png, 300)).equals(before)).toBe(true);
    expect(setJpegDpi(new Uint8Array(3), 300)).toEqual(new Uint8Array(3));
  });
});

describe('why the camera cannot be used', () => {
  it.each([
    ['NotFoundError', 'absent'],
    ['DevicesNotFoundError', 'absent'],
    ['OverconstrainedError', 'absent'],
    ['NotAllowedError', 'refused'],
    ['PermissionDeniedError', 'refused'],
    ['SecurityError', 'refused'],
    ['NotReadableError', 'busy'],
    ['TrackStartError', 'busy'],
    ['AbortError', 'busy'],
    ['TypeError', 'failed'],
  ] as const)('%s → %s', (name, problem) => {
    expect(cameraProblemOf(new DOMException('x', name))).toBe(problem);
    expect(cameraProblemOf({ name })).toBe(problem);
  });

  it('anything without a name is a plain failure', () => {
    expect(cameraProblemOf(undefined)).toBe('failed');
    expect(cameraProblemOf('NotFoundError')).toBe('failed');
  });

  it('a page outside a secure context cannot ask at all', () => {
    expect(cameraSupport({ isSecureContext: false, hasGetUserMedia: false })).toBe('insecure');
    expect(cameraSupport({ isSecureContext: true, hasGetUserMedia: false })).toBe('insecure');
    expect(cameraSupport({ isSecureContext: true, hasGetUserMedia: true })).toBeNull();
  });

  it('every problem has its Vietnamese message, saying what to do', () => {
    expect(CAMERA_MESSAGE.absent).toMatch(/^Không tìm thấy camera/u);
    // the two a mobile desk meets most say how to go on without the camera
    for (const m of [CAMERA_MESSAGE.absent, CAMERA_MESSAGE.refused]) expect(m).toMatch(/Quét hoặc Đính kèm/u);
    expect(CAMERA_MESSAGE.busy).toMatch(/chương trình khác/u);
    expect(CAMERA_MESSAGE.ended).toMatch(/ngừng gửi hình/u);
    expect(CAMERA_MESSAGE.insecure).toMatch(/địa chỉ an toàn/u);
    for (const m of Object.values(CAMERA_MESSAGE)) {
      expect(m.normalize('NFC')).toBe(m);
      expect(m).toMatch(/Thử lại|thử lại|Quét/u);
    }
  });
});

describe("the camera's verdict on the gate's report", () => {
  const report = (over: Partial<QualityReport>): QualityReport => ({
    ok: true,
    dpi: 284,
    sharpness: 3200,
    skewDegrees: 0,
    meanBrightness: 200,
    problems: [],
    messages: [],
    ...over,
  });

  it('passes a sharp card and anything the gate did not measure (QR read, photo)', () => {
    expect(cameraVerdict(report({}), 'card')).toEqual({ ok: true });
    expect(cameraVerdict(null, 'card')).toEqual({ ok: true });
    expect(cameraVerdict(report({ ok: false, problems: ['blurry'], sharpness: 10 }), 'photo')).toEqual({
      ok: true,
    });
  });

  it(`asks for a retake of a card the gate passed under ${CAMERA_MIN_SHARPNESS}`, () => {
    expect(cameraVerdict(report({ sharpness: CAMERA_MIN_SHARPNESS - 1 }), 'card')).toEqual({
      ok: false,
      messages: [CAMERA_QUALITY_MESSAGE.blurry],
    });
    expect(cameraVerdict(report({ sharpness: CAMERA_MIN_SHARPNESS }), 'card')).toEqual({ ok: true });
    // measured on cards only: a page keeps the gate's verdict
    expect(cameraVerdict(report({ sharpness: 600 }), 'page')).toEqual({ ok: true });
  });

  it("says the gate's problems in camera words, without adding blur to a dark picture", () => {
    expect(
      cameraVerdict(report({ ok: false, problems: ['low_resolution'], dpi: 58, sharpness: 5000 }), 'page'),
    ).toEqual({ ok: false, messages: [CAMERA_QUALITY_MESSAGE.low_resolution] });
    expect(cameraVerdict(report({ ok: false, problems: ['too_dark'], sharpness: 20 }), 'card')).toEqual({
      ok: false,
      messages: [CAMERA_QUALITY_MESSAGE.too_dark],
    });
    expect(Object.keys(CAMERA_QUALITY_MESSAGE).sort()).toEqual(Object.keys(QUALITY_PROBLEM_MESSAGE).sort());
  });
});
