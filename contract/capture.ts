// Camera capture (the "Chụp ảnh" dialog of the workstation, renderer/src/capture) as pure rules:
// what a still becomes before it leaves the dialog, why a camera cannot be used in words an officer
// can act on, and the camera's own reading of the quality gate's verdict. Pure data and functions
// (no DOM, no Node): unit-tested in Node, used by the renderer.
//
// Why crop to the guide frame: a laptop camera sees the desk around the card. Keeping only the
// framed document (the officer fits it to the frame) makes the image small and gives the quality
// gate and OCR a known scale: the frame's long side is the document's long side (85.6 mm for an ID
// card, 297 mm for an A4 page), so its resolution is known and written into the JPEG's JFIF header.
// A browser's JPEG otherwise says 72 dpi: the gate would call every uncropped camera still "low
// resolution" and OCR would blow it up fourfold.
//
// Figures (Chromium's fake camera playing generated cards, tests/bench/camera-capture.ts,
// docs/workstation.md): from a 1280×720 camera (the common laptop camera) the ID-card frame is
// 958×604 px, ≈ 284 dpi over the card, and the JPEG at quality 0.8 about 65 KB; from 1920×1080,
// 1438×908 px, 427 dpi, about 113 KB. Every quality from 0.7 to 0.95 read every card's QR and about as
// many printed fields by OCR (9–10 of 12 at 1280×720, 11–12 of 12 at 1920×1080, no trend with
// quality); 0.8 is 23% smaller than 0.9 and keeps a margin above the lowest tried.
//
// getUserMedia fails with a DOMException whose `name` says why (W3C Media Capture and Streams;
// Chromium's older names in brackets): NotFoundError [DevicesNotFoundError] no camera, or the chosen
// one is gone (OverconstrainedError on an exact deviceId); NotAllowedError [PermissionDeniedError]
// or SecurityError when the user, the OS privacy setting or Electron's permission handler refuses;
// NotReadableError [TrackStartError] or AbortError when the device cannot start, almost always
// because another program (Zalo, Teams, Zoom) holds it. A track that ends without our stop() means
// the camera went away (unplugged, disabled). Outside a secure context navigator.mediaDevices does
// not exist at all.

import type { QualityProblem, QualityReport } from './scan.js';

/** localStorage key under which the renderer keeps the officer's camera choice on this machine. */
export const CAMERA_CHOICE_KEY = 'bhxh.capture.cameraId';

/** The documents the dialog frames. */
export type CaptureTarget = 'card' | 'photo' | 'page';

/** Physical size (mm, width × height as the document is held) and how much of the frame it may take. */
export const TARGETS: Readonly<
  Record<CaptureTarget, { widthMm: number; heightMm: number; fill: number; hint: string }>
> = {
  // ISO/IEC 7810 ID-1: the chip CCCD, the old CMND is close to it
  card: { widthMm: 85.6, heightMm: 54, fill: 0.84, hint: 'Đặt thẻ vừa khung, giữ yên và thẳng.' },
  // Ảnh cá nhân: a 3 × 4 cm portrait, or the person in front of the camera
  photo: {
    widthMm: 30,
    heightMm: 40,
    fill: 0.84,
    hint: 'Đặt ảnh chân dung (hoặc khuôn mặt người đăng ký) vừa khung.',
  },
  // a form page, A4 portrait
  page: { widthMm: 210, heightMm: 297, fill: 0.94, hint: 'Đặt cả trang giấy vừa khung, giữ thẳng.' },
};

/** JPEG quality of a capture (0–1): chosen by tests/bench/camera-capture.ts (see above). */
export const JPEG_QUALITY = 0.8;

/** The gate's lowest resolution for text (scanner/quality.ts DEFAULT_THRESHOLDS.minDpi; a test keeps them equal). */
export const MIN_TEXT_DPI = 120;

export type Rect = { x: number; y: number; width: number; height: number };

/** The guide frame in the video's pixels: the target's shape, centred, `fill` of the frame at most. */
export function guideRect(videoWidth: number, videoHeight: number, target: CaptureTarget): Rect {
  const t = TARGETS[target];
  const aspect = t.widthMm / t.heightMm;
  let height = videoHeight * t.fill;
  let width = height * aspect;
  if (width > videoWidth * t.fill) {
    width = videoWidth * t.fill;
    height = width / aspect;
  }
  // even sizes suit JPEG's 2×2 chroma blocks
  const w = Math.max(2, Math.round(width / 2) * 2);
  const h = Math.max(2, Math.round(height / 2) * 2);
  return { x: Math.round((videoWidth - w) / 2), y: Math.round((videoHeight - h) / 2), width: w, height: h };
}

/** Dots per inch over the document when it fills the frame. */
export function frameDpi(rect: Rect, target: CaptureTarget): number {
  const t = TARGETS[target];
  return Math.round((Math.max(rect.width, rect.height) * 25.4) / Math.max(t.widthMm, t.heightMm));
}

/**
 * Writes `dpi` into a JPEG's JFIF header (APP0: units 1 = dots per inch, X and Y density), in place,
 * and returns the same bytes; a JPEG without JFIF (never from a browser) is left as it is. Browsers
 * write units 0 (aspect ratio only), which readers take as 72 dpi.
 */
export function setJpegDpi(jpeg: Uint8Array, dpi: number): Uint8Array {
  const isJfif =
    jpeg.length > 20 &&
    jpeg[0] === 0xff &&
    jpeg[1] === 0xd8 &&
    jpeg[2] === 0xff &&
    jpeg[3] === 0xe0 &&
    // "JFIF\0"
    jpeg[6] === 0x4a &&
    jpeg[7] === 0x46 &&
    jpeg[8] === 0x49 &&
    jpeg[9] === 0x46 &&
    jpeg[10] === 0x00;
  if (!isJfif) return jpeg;
  const d = Math.max(1, Math.min(65535, Math.round(dpi)));
  jpeg[13] = 1;
  jpeg[14] = d >> 8;
  jpeg[15] = d & 0xff;
  jpeg[16] = d >> 8;
  jpeg[17] = d & 0xff;
  return jpeg;
}

export type CameraProblem = 'absent' | 'refused' | 'busy' | 'ended' | 'insecure' | 'failed';

export const CAMERA_MESSAGE: Readonly<Record<CameraProblem, string>> = {
  absent:
    'Không tìm thấy camera. Kiểm tra camera đã được cắm vào máy (hoặc đã bật trong cài đặt của máy) rồi bấm Thử lại; có thể dùng Quét hoặc Đính kèm thay cho Chụp ảnh.',
  refused:
    'Không được phép dùng camera. Cho phép ứng dụng dùng camera (trong cài đặt Quyền riêng tư → Camera của máy) rồi bấm Thử lại; trong lúc đó có thể dùng Quét hoặc Đính kèm thay cho Chụp ảnh.',
  busy: 'Camera đang được một chương trình khác sử dụng (ví dụ Zalo, Teams, Zoom) hoặc không khởi động được. Đóng chương trình đó rồi bấm Thử lại.',
  ended:
    'Camera đã ngừng gửi hình (bị rút ra hoặc bị tắt). Cắm lại camera rồi bấm Thử lại; ảnh đã chụp trước đó không bị mất.',
  insecure:
    'Trang này không được mở từ địa chỉ an toàn nên trình duyệt không cho dùng camera. Mở bằng ứng dụng máy trạm hoặc địa chỉ http://127.0.0.1 rồi thử lại.',
  failed: 'Không mở được camera. Bấm Thử lại; nếu vẫn lỗi, dùng Quét hoặc Đính kèm.',
};

/** The problem behind a getUserMedia failure (anything with a `name`, as a DOMException has). */
export function cameraProblemOf(error: unknown): CameraProblem {
  const name =
    typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : undefined;
  switch (name) {
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError':
      return 'absent';
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'refused';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}

/** Whether this page may ask for a camera at all (a secure context with mediaDevices). */
export function cameraSupport(env: {
  isSecureContext: boolean;
  hasGetUserMedia: boolean;
}): CameraProblem | null {
  return env.isSecureContext && env.hasGetUserMedia ? null : 'insecure';
}

/**
 * The camera's own sharpness floor, on the gate's measure (variance of the Laplacian at ~100 dpi).
 * The gate asks 250 of every image, which lets a scanner's slight blur through (the scanner's
 * blurred set scores 2,700 and more). A camera's focus varies from shot to shot, and between 250 and
 * ~1,000 an ID card from a 1280×720 camera keeps little more than its number for OCR (measured on
 * three cards, fields of 4 read: sharpness 3,200 → 3–4; 2,000 → 3–4; 1,100 → 3; 540–615 → 1–2;
 * under 250 the gate refuses; tests/bench/camera-capture.ts). A retake costs the officer a second
 * while the person is there, so a camera still below this asks for one even when the gate passed it.
 */
export const CAMERA_MIN_SHARPNESS = 1000;

/** The quality problems in camera words (the gate's messages speak of scanners and paper). */
export const CAMERA_QUALITY_MESSAGE: Readonly<Record<QualityProblem, string>> = {
  low_resolution:
    'Độ phân giải quá thấp để đọc chữ: đưa giấy tờ lại gần cho vừa khung, hoặc dùng máy quét cho trang A4.',
  blurry: 'Ảnh bị mờ: giữ yên giấy tờ và camera, chờ hình rõ nét rồi chụp lại.',
  skewed: 'Giấy tờ bị nghiêng: giữ thẳng theo khung rồi chụp lại.',
  too_dark: 'Ảnh quá tối: bật thêm đèn hoặc quay giấy tờ về phía sáng rồi chụp lại.',
  too_light:
    'Ảnh gần như trắng (lóa sáng hoặc sai mặt giấy tờ): tránh đèn chiếu thẳng, kiểm tra đúng mặt rồi chụp lại.',
  too_small: 'Giấy tờ quá nhỏ trong ảnh: đưa lại gần cho vừa khung rồi chụp lại.',
};

export type CameraVerdict = { ok: true } | { ok: false; messages: string[] };

/**
 * The verdict on a stored camera still: the gate's problems, plus, for ID cards (where it was
 * measured), the camera's sharpness floor. The portrait photo is not read, so it is not judged. No
 * report (the card's QR was read exactly, or recognition failed for another reason) is not a quality
 * problem.
 */
export function cameraVerdict(quality: QualityReport | null, target: CaptureTarget): CameraVerdict {
  if (!quality || target === 'photo') return { ok: true };
  const problems = [...quality.problems];
  if (
    target === 'card' &&
    !problems.includes('blurry') &&
    !problems.includes('too_dark') &&
    !problems.includes('too_light') &&
    quality.sharpness < CAMERA_MIN_SHARPNESS
  )
    problems.push('blurry');
  return problems.length === 0
    ? { ok: true }
    : { ok: false, messages: problems.map((p) => CAMERA_QUALITY_MESSAGE[p]) };
}
