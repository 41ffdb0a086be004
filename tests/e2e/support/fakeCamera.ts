// Chromium's fake camera for the capture tests: a synthetic scene (an ID-card front held in front of
// a laptop camera: a generated card — the photo box is a grey rectangle, never a person — tilted a
// little, softened like a webcam's lens, on a desk-coloured background with uneven light) written as
// a YUV4MPEG2 (.y4m) file that `--use-file-for-fake-video-capture` plays in a loop. Written from
// sharp's raw RGB output, so no ffmpeg is needed. 1280×720 is the common laptop camera.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { createRandom, syntheticPerson, type SyntheticPerson } from '../../../contract/synthetic.js';
import { cccdFront } from '../../unit/scanner/support/images.js';

export const CAMERA_WIDTH = 1280;
export const CAMERA_HEIGHT = 720;

/** The person on the fake camera's card (deterministic: the spec creates a dossier for the same person). */
export function cameraPerson(): SyntheticPerson {
  return syntheticPerson(createRandom(20261203), 8101);
}

/**
 * RGB (8-bit, 3 channels, row-major) → one I420 frame, BT.601 limited range as cameras deliver it:
 * the full-size Y plane, then U and V at half size (each the mean of a 2×2 block).
 */
export function rgbToI420(rgb: Uint8Array, width: number, height: number): Buffer {
  if (width % 2 || height % 2) throw new Error('I420 needs even width and height');
  const ySize = width * height;
  const cSize = ySize / 4;
  const out = Buffer.alloc(ySize + 2 * cSize);
  for (let i = 0, p = 0; i < ySize; i++, p += 3) {
    out[i] = Math.round(16 + (65.481 * rgb[p]! + 128.553 * rgb[p + 1]! + 24.966 * rgb[p + 2]!) / 255);
  }
  const cw = width / 2;
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const p = ((cy * 2 + dy) * width + cx * 2 + dx) * 3;
        r += rgb[p]!;
        g += rgb[p + 1]!;
        b += rgb[p + 2]!;
      }
      r /= 4 * 255;
      g /= 4 * 255;
      b /= 4 * 255;
      const k = cy * cw + cx;
      out[ySize + k] = Math.round(128 - 37.797 * r - 74.203 * g + 112 * b);
      out[ySize + cSize + k] = Math.round(128 + 112 * r - 93.786 * g - 18.214 * b);
    }
  }
  return out;
}

/** A .y4m file of `frames` copies of one frame (Chromium loops the file). */
export function y4m(rgb: Uint8Array, width: number, height: number, frames = 1): Buffer {
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`, 'latin1');
  const frame = rgbToI420(rgb, width, height);
  const parts: Buffer[] = [header];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from('FRAME\n', 'latin1'), frame);
  return Buffer.concat(parts);
}

/**
 * The camera's view as raw RGB: the card (880 px wide on a 1280×720 frame, ~260 dpi, and in
 * proportion on other frame sizes) tilted 1.5° on a desk.
 */
export async function cardScene(
  person: SyntheticPerson = cameraPerson(),
  options: { withQr?: boolean; width?: number; height?: number } = {},
): Promise<Buffer> {
  const width = options.width ?? CAMERA_WIDTH;
  const height = options.height ?? CAMERA_HEIGHT;
  const scale = width / CAMERA_WIDTH;
  const cardWidth = Math.round(880 * scale);
  const cardHeight = Math.round((cardWidth * 54) / 85.6);
  const radius = Math.round((cardWidth * 3) / 85.6);
  // drawn at least as fine as it is shown, then brought down to the camera's size
  const drawn = await cccdFront(person, {
    dpi: Math.ceil(300 * Math.max(1, scale)),
    withQr: options.withQr ?? true,
  });
  const face = await sharp(drawn)
    .resize(cardWidth, cardHeight)
    // the card's rounded corners (ID-1: 3 mm)
    .composite([
      {
        input: Buffer.from(
          `<svg width="${cardWidth}" height="${cardHeight}"><rect width="100%" height="100%" rx="${radius}" ry="${radius}" fill="#fff"/></svg>`,
        ),
        blend: 'dest-in',
      },
    ])
    .png()
    .toBuffer();
  const tilted = await sharp(face)
    .rotate(1.5, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png()
    .toBuffer();
  const meta = await sharp(tilted).metadata();
  // desk background with light falling from the top left
  const background = Buffer.from(
    `<svg width="${width}" height="${height}"><defs><radialGradient id="l" cx="0.3" cy="0.2" r="1"><stop offset="0" stop-color="#9c8a74"/><stop offset="1" stop-color="#4f4337"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#l)"/></svg>`,
  );
  return sharp(background)
    .composite([
      {
        input: tilted,
        left: Math.round((width - meta.width!) / 2),
        top: Math.round((height - meta.height!) / 2),
      },
    ])
    .blur(0.7 * scale) // a webcam's lens and sensor are not a scanner's
    .removeAlpha()
    .raw()
    .toBuffer();
}

/** Writes the card scene as a .y4m at `file` (for the Playwright launch flag); returns the path. */
export async function writeCameraFile(
  file: string,
  options: { withQr?: boolean; width?: number; height?: number; person?: SyntheticPerson } = {},
): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  const width = options.width ?? CAMERA_WIDTH;
  const height = options.height ?? CAMERA_HEIGHT;
  const rgb = await cardScene(options.person ?? cameraPerson(), { ...options, width, height });
  writeFileSync(file, y4m(rgb, width, height));
  return file;
}

/**
 * A camera that stops: one frame, then a frame cut short. Chromium shows the frame, fails to read
 * the next and ends the track, as when a USB camera is pulled out.
 */
export async function writeEndingCameraFile(file: string): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  const whole = y4m(await cardScene(), CAMERA_WIDTH, CAMERA_HEIGHT);
  const header = whole.indexOf(0x0a) + 1;
  writeFileSync(file, Buffer.concat([whole, whole.subarray(header, header + 1000)]));
  return file;
}
