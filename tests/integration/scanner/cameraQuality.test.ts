// The quality gate on camera stills, as the capture dialog makes them: the card scene of the fake
// camera (a generated card on a desk, webcam-soft), cropped to the guide frame, JPEG at the capture's
// quality with the frame's dpi written in. A steady still passes the gate and the camera's own
// sharpness floor and its QR is read; a defocused one the gate still passes is refused by the camera
// rule (the measured band where OCR loses all but the number: tests/bench/camera-capture.ts); worse
// blur, a tilted card and a dark room are refused by the gate itself, with camera words for the
// officer.
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  CAMERA_QUALITY_MESSAGE,
  cameraVerdict,
  frameDpi,
  guideRect,
  JPEG_QUALITY,
  setJpegDpi,
} from '../../../contract/capture.js';
import { loadPages } from '../../../scanner/image/load.js';
import { assessQuality } from '../../../scanner/quality.js';
import { recognizeDocument } from '../../../scanner/recognize.js';
import { CAMERA_HEIGHT, CAMERA_WIDTH, cameraPerson, cardScene } from '../../e2e/support/fakeCamera.js';

const frame = guideRect(CAMERA_WIDTH, CAMERA_HEIGHT, 'card');
const dpi = frameDpi(frame, 'card');

/** The still the dialog would hand over, after `change` to the camera's view. */
async function still(change: (s: Sharp) => Sharp = (s) => s, withQr = false): Promise<Buffer> {
  const raw = await cardScene(cameraPerson(), { withQr });
  const view = await change(sharp(raw, { raw: { width: CAMERA_WIDTH, height: CAMERA_HEIGHT, channels: 3 } }))
    .png()
    .toBuffer();
  const jpeg = await sharp(view)
    .extract({ left: frame.x, top: frame.y, width: frame.width, height: frame.height })
    .jpeg({ quality: Math.round(JPEG_QUALITY * 100) })
    .toBuffer();
  // sharp writes no JFIF segment; the browser's canvas does (units 0): add it as the browser would
  const app0 = Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const browser = Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
  return Buffer.from(setJpegDpi(new Uint8Array(browser), dpi));
}

describe('quality gate on camera stills (1280×720 camera, ID card)', () => {
  it('a steady still: the gate and the camera rule pass it, at the dpi the capture wrote; its QR is read', async () => {
    const jpeg = await still((s) => s, true);
    const [page] = await loadPages(new Uint8Array(jpeg));
    expect(page?.dpi).toBe(284);
    const q = await assessQuality(jpeg);
    expect(q).toMatchObject({ ok: true, dpi: 284 });
    expect(cameraVerdict(q, 'card')).toEqual({ ok: true });
    const { recognition } = await recognizeDocument(new Uint8Array(jpeg));
    expect(recognition.fields.idNumber).toBe(cameraPerson().idNumber);
  });

  it('defocused (σ 1.75 px): the gate passes it, the camera rule asks for a retake', async () => {
    const q = await assessQuality(await still((s) => s.blur(1.75)));
    expect(q.ok).toBe(true);
    expect(cameraVerdict(q, 'card')).toEqual({ ok: false, messages: [CAMERA_QUALITY_MESSAGE.blurry] });
  });

  it('badly defocused (σ 3 px), tilted 12°, or in a dark room: refused by the gate, in camera words', async () => {
    const blurred = await assessQuality(await still((s) => s.blur(3)));
    expect(blurred.problems).toContain('blurry');
    const tilted = await assessQuality(await still((s) => s.rotate(12, { background: '#4f4337' })));
    expect(tilted.problems).toContain('skewed');
    expect(cameraVerdict(tilted, 'card')).toMatchObject({
      ok: false,
      messages: expect.arrayContaining([CAMERA_QUALITY_MESSAGE.skewed]),
    });
    const dark = await assessQuality(await still((s) => s.linear(0.25, 0)));
    expect(dark.problems).toContain('too_dark');
  });
});
