// A camera still into a role through the same path as Đính kèm (the encrypted store, the durable
// upload, recognition and the quality gate), then the verdict the capture dialog shows: it waits for
// the image's recognition to finish (the QR in a few hundred ms, OCR in a second or two) and reads the
// gate's report in camera words (cameraVerdict). The portrait photo is not recognised, so it is done
// once stored. Two owners: a dossier's intake (intake.attach) and the mobile desk's declaration
// (desk.attach); `storeAndJudge` is the waiting both share.

import type { QualityReport } from '../../../contract/scan';
import type { WsEvent } from '../../../contract/workstation';
import type { IntakeImage, IntakeResult } from '../../../contract/workstationIntake';
import type { DeskImage } from '../../../contract/workstationDesk';
import { api, call } from '../api';
import { cameraVerdict, type CameraVerdict } from '../../../contract/capture';
import type { CapturedStill } from '../capture/CameraCapture';

type Judged = { id: string; recognizing: boolean; quality: QualityReport | null };

/**
 * Stores an image and waits for its recognition: `pick` names the events about images of this owner,
 * `ask` reads the image again (an event may come before the store call's answer).
 */
export async function storeAndJudge<I extends Judged>(
  store: () => Promise<I | undefined>,
  pick: (e: WsEvent) => I | null,
  ask: (id: string) => Promise<I | undefined>,
  target: CapturedStill['target'],
): Promise<{ image: I | undefined; verdict: CameraVerdict }> {
  // Listen before storing: recognition may finish before the call's answer arrives.
  const seen = new Map<string, I>();
  let wake: (() => void) | null = null;
  const off = api.on((e) => {
    const image = pick(e);
    if (!image) return;
    seen.set(image.id, image);
    wake?.();
  });
  try {
    const stored = await store();
    if (!stored) return { image: undefined, verdict: { ok: true } };
    // the image once recognition is over, from an event or from asking; events may come before the
    // answer to the ask, and nothing else runs between a check and setting `wake`
    const finished = (): I | null => {
      const s = seen.get(stored.id);
      return s && !s.recognizing ? s : null;
    };
    let image = stored.recognizing ? finished() : stored;
    if (!image) {
      const now = await ask(stored.id);
      image = finished() ?? (now && !now.recognizing ? now : null);
    }
    while (!image) {
      await new Promise<void>((resolve) => (wake = resolve));
      image = finished();
    }
    return { image, verdict: cameraVerdict(image.quality, target) };
  } finally {
    off();
  }
}

export type CameraIntakeResult = { result: IntakeResult; verdict: CameraVerdict };

export async function attachCameraStill(
  dossierId: string,
  role: string,
  still: CapturedStill,
): Promise<CameraIntakeResult> {
  let result: IntakeResult = { images: [], notes: [] };
  const { verdict } = await storeAndJudge<IntakeImage>(
    async () => {
      result = await call('intake.attach', {
        dossierId,
        role,
        fileName: `camera-${role}.jpg`,
        data: still.base64,
      });
      return result.images[0];
    },
    (e) => (e.type === 'intake.image' && e.image.dossierId === dossierId ? e.image : null),
    async (id) => (await call('intake.images', { dossierId })).find((i) => i.id === id),
    still.target,
  );
  return { result, verdict };
}

/** A camera still for a role of a mobile desk's declaration. */
export function attachDeskStill(
  declarationId: string,
  role: string,
  still: CapturedStill,
): Promise<{ image: DeskImage | undefined; verdict: CameraVerdict }> {
  return storeAndJudge<DeskImage>(
    async () =>
      (
        await call('desk.attach', {
          id: declarationId,
          role,
          fileName: `camera-${role}.jpg`,
          data: still.base64,
          source: 'camera',
        })
      ).image,
    (e) => (e.type === 'desk.image' && e.image.declarationId === declarationId ? e.image : null),
    async (id) => (await call('desk.get', { id: declarationId })).images.find((i) => i.id === id),
    still.target,
  );
}
