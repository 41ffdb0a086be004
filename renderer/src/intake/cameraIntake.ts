// A camera still into a dossier's role through the same path as Đính kèm (intake.attach: the
// encrypted store, the durable upload, recognition and the quality gate), then the verdict the
// capture dialog shows: it waits for this image's recognition to finish (the QR in a few hundred
// ms, OCR in a second or two) and reads the gate's report in camera words (cameraVerdict). The
// portrait photo is not recognised, so it is done once stored.

import type { IntakeImage, IntakeResult } from '../../../contract/workstationIntake';
import { api, call } from '../api';
import { cameraVerdict, type CameraVerdict } from '../../../contract/capture';
import type { CapturedStill } from '../capture/CameraCapture';

export type CameraIntakeResult = { result: IntakeResult; verdict: CameraVerdict };

export async function attachCameraStill(
  dossierId: string,
  role: string,
  still: CapturedStill,
): Promise<CameraIntakeResult> {
  // Listen before storing: recognition may finish before the call's answer arrives.
  const seen = new Map<string, IntakeImage>();
  let wake: (() => void) | null = null;
  const off = api.on((e) => {
    if (e.type !== 'intake.image' || e.image.dossierId !== dossierId) return;
    seen.set(e.image.id, e.image);
    wake?.();
  });
  try {
    const result = await call('intake.attach', {
      dossierId,
      role,
      fileName: `camera-${role}.jpg`,
      data: still.base64,
    });
    const stored = result.images[0];
    if (!stored) return { result, verdict: { ok: true } };
    // the image once recognition is over, from an event or from asking; events may come before the
    // answer to the ask, and nothing else runs between a check and setting `wake`
    const finished = (): IntakeImage | null => {
      const s = seen.get(stored.id);
      return s && !s.recognizing ? s : null;
    };
    let image = stored.recognizing ? finished() : stored;
    if (!image) {
      const now = (await call('intake.images', { dossierId })).find((i) => i.id === stored.id);
      image = finished() ?? (now && !now.recognizing ? now : null);
    }
    while (!image) {
      await new Promise<void>((resolve) => (wake = resolve));
      image = finished();
    }
    return { result, verdict: cameraVerdict(image.quality, still.target) };
  } finally {
    off();
  }
}
