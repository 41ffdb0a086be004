// Camera capture benchmark: what the "Chụp ảnh" dialog hands over, measured in Debian's Chromium
// with its fake camera playing generated ID cards (tests/e2e/support/fakeCamera.ts; three people),
// at 1280×720 and 1920×1080. For each JPEG quality it prints, per target (ID card, A4 page): the
// still's size and dpi, its mean bytes, how many cards' QR is read from it, and how many of the
// printed fields OCR reads from the same cards without a QR (so OCR has to read the text); plus the
// quality gate's verdict on the first. Then, in Node, a blur sweep of the card still: the gate's sharpness figure,
// its verdict, the camera rule's (contract/capture.ts CAMERA_MIN_SHARPNESS) and what OCR still reads:
// the measurement behind that floor. The capture code is contract/capture.ts itself, bundled by
// esbuild into the page.
// Run: npx tsx tests/bench/camera-capture.ts   (about a minute; prints `uptime`'s load)

import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import sharp from 'sharp';
import {
  cameraVerdict,
  frameDpi,
  guideRect,
  JPEG_QUALITY,
  setJpegDpi,
  type CaptureTarget,
} from '../../contract/capture.js';
import type { RecognizedFields } from '../../contract/scan.js';
import { createRandom, syntheticPerson, type SyntheticPerson } from '../../contract/synthetic.js';
import { CHROMIUM_ARGS } from '../../playwright.config.js';
import { OcrPool } from '../../scanner/ocr/pool.js';
import { assessQuality } from '../../scanner/quality.js';
import { recognizeDocument } from '../../scanner/recognize.js';
import { cameraPerson, cardScene, writeCameraFile } from '../e2e/support/fakeCamera.js';

const QUALITIES = [0.7, 0.8, 0.85, 0.9, 0.95];
const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
];
const TARGETS: CaptureTarget[] = ['card', 'page'];
const load = (): string =>
  execFileSync('uptime', { encoding: 'utf8' })
    .trim()
    .replace(/^.*load/u, 'load');
const chromiumPath = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => {
  try {
    execFileSync('test', ['-x', p]);
    return true;
  } catch {
    return false;
  }
});

type Grab = {
  target: CaptureTarget;
  quality: number;
  width: number;
  height: number;
  dpi: number;
  b64: string;
};

/** The page's capture: the same crop, encoder and dpi as CameraCapture.tsx. */
const PAGE_SCRIPT = `
window.grabAll = async (targets, qualities) => {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1920 }, height: { ideal: 1080 } }, audio: false });
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  while (!video.videoWidth) await new Promise((r) => requestAnimationFrame(r));
  const out = [];
  for (const target of targets) {
    for (const quality of qualities) {
      const rect = capture.guideRect(video.videoWidth, video.videoHeight, target);
      const canvas = document.createElement('canvas');
      canvas.width = rect.width;
      canvas.height = rect.height;
      canvas.getContext('2d').drawImage(video, rect.x, rect.y, rect.width, rect.height, 0, 0, rect.width, rect.height);
      const blob = await new Promise((r) => canvas.toBlob(r, 'image/jpeg', quality));
      const dpi = capture.frameDpi(rect, target);
      const jpeg = capture.setJpegDpi(new Uint8Array(await blob.arrayBuffer()), dpi);
      let s = '';
      for (let i = 0; i < jpeg.length; i += 0x8000) s += String.fromCharCode(...jpeg.subarray(i, i + 0x8000));
      out.push({ target, quality, width: rect.width, height: rect.height, dpi, b64: btoa(s) });
    }
  }
  for (const t of stream.getTracks()) t.stop();
  return out;
};`;

async function grabInChromium(y4mFile: string, bundle: string, port: number): Promise<Grab[]> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${y4mFile}`,
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.addScriptTag({ content: bundle });
    await page.addScriptTag({ content: PAGE_SCRIPT });
    return (await page.evaluate(
      `grabAll(${JSON.stringify(TARGETS)}, ${JSON.stringify(QUALITIES)})`,
    )) as Grab[];
  } finally {
    await browser.close();
  }
}

/** How many of the card's four printed fields OCR read exactly (number, name, birth date, address). */
function fieldsRead(f: RecognizedFields, p: SyntheticPerson): number {
  return [
    f.idNumber === p.idNumber,
    f.fullName === p.fullName,
    f.dateOfBirth === p.dateOfBirth,
    f.address === p.address,
  ].filter(Boolean).length;
}

async function ocrFields(pool: OcrPool, jpeg: Buffer, p: SyntheticPerson): Promise<number> {
  try {
    const { recognition } = await recognizeDocument(new Uint8Array(jpeg), { ocr: pool, qualityGate: false });
    return fieldsRead(recognition.fields, p);
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  if (!chromiumPath) throw new Error('Chromium not found (/usr/bin/chromium)');
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-camera-'));
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<!doctype html><html lang="vi"><body></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const bundle = (
    await build({
      entryPoints: [path.resolve('contract/capture.ts')],
      bundle: true,
      format: 'iife',
      globalName: 'capture',
      write: false,
    })
  ).outputFiles[0]!.text;
  const pool = await OcrPool.start({ size: 1 });
  const person = cameraPerson();
  try {
    console.log(`camera capture benchmark (${load()} at start; 2 cores shared)`);
    console.log(
      'Chromium fake camera, generated ID card; JPEG quality in the browser, dpi written by setJpegDpi',
    );
    const people = [person, ...[1, 2].map((n) => syntheticPerson(createRandom(4200 + n), n))];
    for (const size of SIZES) {
      // per target and quality, over the people: bytes, QR read, OCR fields read (of 4 each)
      const rows = new Map<string, { g: Grab; bytes: number[]; qr: number; ocr: number; gate: string }>();
      for (const [i, p] of people.entries()) {
        const withQr = await writeCameraFile(path.join(dir, `qr-${size.width}-${i}.y4m`), {
          ...size,
          person: p,
        });
        const noQr = await writeCameraFile(path.join(dir, `text-${size.width}-${i}.y4m`), {
          ...size,
          person: p,
          withQr: false,
        });
        const qrGrabs = await grabInChromium(withQr, bundle, port);
        const textGrabs = await grabInChromium(noQr, bundle, port);
        for (let k = 0; k < qrGrabs.length; k++) {
          const g = qrGrabs[k]!;
          const jpeg = Buffer.from(g.b64, 'base64');
          const text = Buffer.from(textGrabs[k]!.b64, 'base64');
          const key = `${g.target} ${g.quality}`;
          const row = rows.get(key) ?? { g, bytes: [], qr: 0, ocr: 0, gate: '' };
          rows.set(key, row);
          row.bytes.push(jpeg.length);
          try {
            const { recognition } = await recognizeDocument(new Uint8Array(jpeg));
            if (recognition.fields.idNumber === p.idNumber) row.qr += 1;
          } catch {
            // not read
          }
          if (g.target === 'card') row.ocr += await ocrFields(pool, text, p);
          const q = await assessQuality(text);
          if (i === 0) row.gate = q.ok ? `ok (sharpness ${q.sharpness})` : q.problems.join('+');
        }
      }
      console.log(`\n${size.width}×${size.height} (${people.length} cards; ${load()})`);
      console.log('target  quality  still       dpi   mean bytes  QR read  OCR fields read  gate');
      for (const { g, bytes, qr, ocr, gate } of rows.values()) {
        const mean = Math.round(bytes.reduce((a, b) => a + b, 0) / bytes.length);
        console.log(
          `${g.target.padEnd(7)} ${g.quality.toFixed(2).padEnd(8)} ${`${g.width}×${g.height}`.padEnd(11)} ${String(g.dpi).padEnd(5)} ${String(mean).padEnd(11)} ${`${qr}/${people.length}`.padEnd(8)} ${(g.target === 'card' ? `${ocr}/${people.length * 4}` : '-').padEnd(16)} ${gate}${g.quality === JPEG_QUALITY ? '   ← chosen' : ''}`,
        );
      }
    }

    // The blur sweep: three people's cards (no QR) from a 1280×720 camera, cropped, JPEG 0.9.
    console.log(`\nblur sweep, card from 1280×720, JPEG ${JPEG_QUALITY} (${load()})`);
    console.log('person  blur σ px  sharpness  gate       camera rule  OCR fields read (of 4)');
    const frame = guideRect(1280, 720, 'card');
    const dpi = frameDpi(frame, 'card');
    for (const n of [1, 2, 3]) {
      const p = syntheticPerson(createRandom(99 + n), n);
      const raw = await cardScene(p, { withQr: false });
      for (const blur of [0, 1, 1.5, 1.75, 2, 2.5, 3]) {
        let img = sharp(raw, { raw: { width: 1280, height: 720, channels: 3 } }).extract({
          left: frame.x,
          top: frame.y,
          width: frame.width,
          height: frame.height,
        });
        if (blur) img = sharp(await img.png().toBuffer()).blur(blur);
        const jpeg = Buffer.from(
          setJpegDpi(
            new Uint8Array(await img.jpeg({ quality: Math.round(JPEG_QUALITY * 100) }).toBuffer()),
            dpi,
          ),
        );
        const q = await assessQuality(jpeg);
        const camera = cameraVerdict(q, 'card').ok ? 'ok' : 'retake';
        console.log(
          `${String(n).padEnd(7)} ${String(blur).padEnd(10)} ${String(q.sharpness).padEnd(10)} ${(q.ok ? 'ok' : q.problems.join('+')).padEnd(10)} ${camera.padEnd(12)} ${await ocrFields(pool, jpeg, p)}`,
        );
      }
    }
    console.log(`\nend (${load()})`);
  } finally {
    await pool.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
