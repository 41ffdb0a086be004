// "Chụp ảnh": a still of an ID card, a portrait photo or a form page from the computer's camera,
// for desks without a scanner. A dialog with the live preview and a guide frame shaped like the
// document, Chụp, then the still with Chụp lại and Dùng ảnh này. The still is cropped to the frame
// and handed over as a compact JPEG with its resolution written in (contract/capture.ts: ~65 KB for a card
// from a 1280×720 camera). Cameras: a list when there are several, the choice remembered on this
// machine. A camera that is absent, refused, held by another program, unplugged, or a page outside a
// secure context gets its Vietnamese message and Thử lại. Closing the dialog stops every track.
//
// Keyboard: Space or Enter takes the picture; on the still, Enter uses it and Space retakes; Esc
// closes. The action's button has the focus; Tab reaches Huỷ, Thử lại or Giữ ảnh này, and there Enter
// and Space do what that button says. Keys typed into the camera list are left alone.
//
// Props (the intake panel and the mobile desk's declaration form use it the same way):
//   open       show the dialog and run the camera (false stops it)
//   title      the dialog's title, e.g. "Chụp ảnh Mặt trước"
//   target     'card' (default), 'photo' or 'page': the guide's shape and the crop (contract/capture.ts)
//   hint       a line under the preview (default: the target's own hint)
//   onCapture  called with the still when the officer chooses Dùng ảnh này. It may return a promise
//              (the dialog shows progress meanwhile). Resolve with nothing or {ok: true} when done,
//              then set `open` to false; resolve with {ok: false, messages} to keep the dialog open
//              and ask for a retake (e.g. the quality gate refused it); a thrown error's message is
//              shown and the still is kept so the officer can try again.
//   onCancel   Huỷ, Esc, the close button, or Giữ ảnh này after a refused verdict
import { Alert, Button, Modal, Select, Space, Spin, Typography } from 'antd';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import {
  CAMERA_MESSAGE,
  frameDpi,
  guideRect,
  JPEG_QUALITY,
  MIN_TEXT_DPI,
  setJpegDpi,
  TARGETS,
  type CameraVerdict,
  type CaptureTarget,
} from '../../../contract/capture';
import { useCamera } from './useCamera';

/** A captured still as it is handed over. */
export type CapturedStill = {
  /** the JPEG's bytes (JFIF, resolution set) */
  jpeg: Uint8Array;
  /** the same bytes in base64, as the workstation API takes files */
  base64: string;
  width: number;
  height: number;
  /** dots per inch over the document when it fills the guide frame */
  dpi: number;
  target: CaptureTarget;
  /** the camera's name as the system gives it */
  camera: string;
  /** ISO time of the capture */
  takenAt: string;
};

export type CameraCaptureProps = {
  open: boolean;
  title: string;
  target?: CaptureTarget;
  hint?: string;
  onCapture: (still: CapturedStill) => Promise<CameraVerdict | void> | CameraVerdict | void;
  onCancel: () => void;
};

/** The preview and the still leave room for the dialog's other lines on a 1280×720 screen. */
const PREVIEW_MAX_HEIGHT = 'min(52vh, calc(100vh - 370px))';

type Phase =
  | { step: 'live' }
  | { step: 'still'; still: CapturedStill; url: string }
  | { step: 'saving'; still: CapturedStill; url: string }
  | { step: 'refused'; still: CapturedStill; url: string; messages: string[] };

/** Base64 of bytes, in chunks (a 100 KB still would overflow String.fromCharCode's arguments). */
function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 0x8000)));
  return btoa(s);
}

function Keys({ keys }: { keys: string[] }) {
  return (
    <span aria-hidden="true" style={{ marginLeft: 6 }}>
      {keys.map((k) => (
        <kbd key={k} className="ws-kbd">
          {k}
        </kbd>
      ))}
    </span>
  );
}

async function grab(video: HTMLVideoElement, target: CaptureTarget, camera: string): Promise<CapturedStill> {
  const rect = guideRect(video.videoWidth, video.videoHeight, target);
  const canvas = document.createElement('canvas');
  canvas.width = rect.width;
  canvas.height = rect.height;
  const g = canvas.getContext('2d');
  if (!g) throw new Error('Không tạo được ảnh từ camera.');
  g.drawImage(video, rect.x, rect.y, rect.width, rect.height, 0, 0, rect.width, rect.height);
  const blob = await new Promise<Blob | null>((resolve) =>
    canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY),
  );
  if (!blob) throw new Error('Không tạo được ảnh từ camera.');
  const dpi = frameDpi(rect, target);
  const jpeg = setJpegDpi(new Uint8Array(await blob.arrayBuffer()), dpi);
  return {
    jpeg,
    base64: toBase64(jpeg),
    width: rect.width,
    height: rect.height,
    dpi,
    target,
    camera,
    takenAt: new Date().toISOString(),
  };
}

export function CameraCapture({
  open,
  title,
  target = 'card',
  hint,
  onCapture,
  onCancel,
}: CameraCaptureProps) {
  const { state, devices, choose, retry } = useCamera(open);
  const video = useRef<HTMLVideoElement>(null);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [phase, setPhase] = useState<Phase>({ step: 'live' });
  const [error, setError] = useState<string | null>(null);
  const stream = state.status === 'live' ? state.stream : null;

  // the preview follows the stream; the frame size is known once the first frame arrives
  useEffect(() => {
    const v = video.current;
    if (!v) return;
    v.srcObject = stream;
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (!stream) setSize(null);
  }, [stream, phase.step]);

  // Each opening of the dialog is one session: a still still being made when the dialog closes (a
  // Space as it opened, then Esc) belongs to no one and must not appear when it opens again.
  const session = useRef(0);
  // a closed dialog forgets its still
  useEffect(() => {
    session.current += 1;
    if (open) return;
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setPhase({ step: 'live' });
    setError(null);
  }, [open]);

  const shoot = useCallback(async (): Promise<void> => {
    const v = video.current;
    if (!v || state.status !== 'live' || !v.videoWidth) return;
    const mine = session.current;
    try {
      const still = await grab(v, target, state.label);
      if (mine !== session.current) return;
      setError(null);
      // a data: URL, as the intake's previews use (CSP img-src; nothing to free)
      setPhase({ step: 'still', still, url: `data:image/jpeg;base64,${still.base64}` });
    } catch (err) {
      if (mine !== session.current) return;
      setError(err instanceof Error ? err.message : 'Không tạo được ảnh từ camera.');
    }
  }, [state, target]);

  const retake = useCallback((): void => {
    setError(null);
    setPhase({ step: 'live' });
    if (state.status === 'error') retry();
  }, [state.status, retry]);

  const accept = useCallback(async (): Promise<void> => {
    if (phase.step !== 'still') return;
    const { still, url: stillUrl } = phase;
    setError(null);
    setPhase({ step: 'saving', still, url: stillUrl });
    try {
      const verdict = await onCapture(still);
      if (verdict && !verdict.ok)
        setPhase({ step: 'refused', still, url: stillUrl, messages: verdict.messages });
      // otherwise the owner closes the dialog
    } catch (err) {
      setError(err instanceof Error && err.message ? err.message : 'Không lưu được ảnh.');
      setPhase({ step: 'still', still, url: stillUrl });
    }
  }, [phase, onCapture]);

  const ready = state.status === 'live' && size !== null;

  // The action's button takes the focus, so Tab reaches the others from there. The dialog's own focus
  // handling (its focus trap, the end of its opening animation) may move the focus after ours, in an
  // order that depends on how busy the machine is: until the officer presses a key or the mouse, a
  // focus that lands elsewhere in this step is put back on the action's button (a few times at most,
  // so two handlers can never fight forever), and so is the focus when the animation ends (shown).
  const primary = useRef<HTMLButtonElement>(null);
  const officerMoved = useRef(false);
  const [shown, setShown] = useState(false);
  const focusable = open && (phase.step !== 'live' || ready);
  useEffect(() => {
    if (!focusable) return;
    officerMoved.current = false;
    primary.current?.focus();
    let corrections = 0;
    const onOfficer = (): void => {
      officerMoved.current = true;
    };
    const onFocusIn = (e: FocusEvent): void => {
      const button = primary.current;
      if (officerMoved.current || !button || e.target === button || corrections >= 3) return;
      corrections += 1;
      button.focus();
    };
    window.addEventListener('keydown', onOfficer, true);
    window.addEventListener('pointerdown', onOfficer, true);
    window.addEventListener('focusin', onFocusIn);
    return () => {
      window.removeEventListener('keydown', onOfficer, true);
      window.removeEventListener('pointerdown', onOfficer, true);
      window.removeEventListener('focusin', onFocusIn);
    };
  }, [focusable, phase.step]);
  useEffect(() => {
    if (shown && focusable && !officerMoved.current) primary.current?.focus();
  }, [shown, focusable]);

  // While the dialog is open the focus is in it, from the moment it opens (not when its opening
  // animation ends: a key pressed meanwhile went to the field behind it, a Space typed into the date
  // the officer had left, or to the close button, which it pressed), and stays there: a focus that lands behind it (an earlier dialog's late
  // return of the focus, a control of the form behind) is brought back at once, to the action's button
  // when it can act, else to the dialog itself (where Enter and Space wait for the camera instead of
  // pressing Huỷ). The camera list's popup is drawn outside the dialog and keeps its focus.
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const into = (dialog: HTMLElement): void => {
      const action = primary.current;
      (action && !action.disabled ? action : dialog).focus({ preventScroll: true });
    };
    // the dialog's element exists and can take the focus a frame or two after `open` (its portal, then
    // its wrapper shown): tried on each frame until the focus is in it, a bounded number of times
    let frame = 0;
    let tries = 0;
    const pull = (): void => {
      const dialog = box.current?.closest<HTMLElement>('[role="dialog"]');
      if (dialog?.contains(document.activeElement)) return;
      if (dialog) into(dialog);
      if (++tries < 120) frame = requestAnimationFrame(pull);
    };
    pull();
    const onFocusIn = (e: FocusEvent): void => {
      const dialog = box.current?.closest<HTMLElement>('[role="dialog"]');
      const t = e.target;
      if (!dialog || !(t instanceof Element) || dialog.contains(t) || t.closest('.ant-select-dropdown'))
        return;
      into(dialog);
    };
    document.addEventListener('focusin', onFocusIn, true);
    return () => {
      cancelAnimationFrame(frame);
      document.removeEventListener('focusin', onFocusIn, true);
    };
  }, [open]);

  // When it closes, the focus goes back at once to the control it was opened from (the field where
  // Alt+1… was pressed, or the Chụp ảnh button), not when the closing animation ends: by then the
  // officer may have opened the next still's dialog, whose focus that late return would steal. Taken
  // before the dialog's own focus handling runs (a layout effect), given back after its focus trap
  // let go (a passive effect).
  const opener = useRef<HTMLElement | null>(null);
  useLayoutEffect(() => {
    if (!open) return;
    const a = document.activeElement;
    opener.current =
      a instanceof HTMLElement && a !== document.body && !a.closest('[role="dialog"]') ? a : null;
  }, [open]);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) {
      wasOpen.current = true;
      return;
    }
    if (!wasOpen.current) return;
    wasOpen.current = false;
    const back = opener.current;
    opener.current = null;
    if (back?.isConnected) back.focus({ preventScroll: true });
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.repeat || e.ctrlKey || e.altKey || e.metaKey) return;
      if (e.key !== ' ' && e.key !== 'Enter') return;
      const el = e.target as HTMLElement | null;
      // the camera list typed into; a field behind the dialog is not the officer's target while it is open
      if (el?.closest('.ant-select, input, textarea, select') && box.current?.contains(el)) return;
      // Huỷ, Thử lại, Giữ ảnh này, the close button: the key does what that button does. A button
      // behind the dialog (focus not yet moved in) never gets the key: it could reopen or close it.
      const button = el?.closest('button, a');
      const inDialog = button?.closest('[role="dialog"]') != null;
      if (button && inDialog && !button.hasAttribute('data-capture-shortcut')) return;
      if (phase.step === 'live' && !ready) {
        e.preventDefault();
        e.stopPropagation();
        return;
      }
      // our own action, not the focused button's click as well
      e.preventDefault();
      e.stopPropagation();
      if (phase.step === 'live') void shoot();
      else if (phase.step === 'still') {
        if (e.key === 'Enter') void accept();
        else retake();
      } else if (phase.step === 'refused') retake();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [open, phase.step, ready, shoot, accept, retake]);

  const t = TARGETS[target];
  const previewRect = size ? guideRect(size.width, size.height, target) : null;
  const dpi = previewRect ? frameDpi(previewRect, target) : null;
  const showStill = phase.step !== 'live';

  const footer =
    phase.step === 'live'
      ? [
          <Button key="cancel" onClick={onCancel}>
            Huỷ
          </Button>,
          <Button
            key="shoot"
            ref={primary}
            data-capture-shortcut
            type="primary"
            disabled={!ready}
            onClick={() => void shoot()}
            aria-label="Chụp"
            aria-keyshortcuts="Space Enter"
            title="Chụp (phím cách hoặc Enter)"
          >
            Chụp
            <Keys keys={['Space', 'Enter']} />
          </Button>,
        ]
      : phase.step === 'refused'
        ? [
            <Button key="keep" onClick={onCancel}>
              Giữ ảnh này
            </Button>,
            <Button
              key="again"
              ref={primary}
              data-capture-shortcut
              type="primary"
              onClick={retake}
              aria-label="Chụp lại"
              aria-keyshortcuts="Space Enter"
              title="Chụp lại (phím cách hoặc Enter)"
            >
              Chụp lại
              <Keys keys={['Space']} />
            </Button>,
          ]
        : [
            // while saving, closing leaves the image to be stored and judged in the slot as a scan is
            <Button key="cancel" onClick={onCancel}>
              {phase.step === 'saving' ? 'Đóng' : 'Huỷ'}
            </Button>,
            <Button
              key="again"
              data-capture-shortcut
              onClick={retake}
              disabled={phase.step === 'saving'}
              aria-label="Chụp lại"
              aria-keyshortcuts="Space"
              title="Chụp lại (phím cách)"
            >
              Chụp lại
              <Keys keys={['Space']} />
            </Button>,
            <Button
              key="use"
              ref={primary}
              data-capture-shortcut
              type="primary"
              loading={phase.step === 'saving'}
              onClick={() => void accept()}
              aria-label="Dùng ảnh này"
              aria-keyshortcuts="Enter"
              title="Dùng ảnh này (Enter)"
            >
              Dùng ảnh này
              <Keys keys={['Enter']} />
            </Button>,
          ];

  return (
    <Modal
      open={open}
      title={title}
      onCancel={onCancel}
      maskClosable={false}
      keyboard
      centered
      width={760}
      destroyOnHidden
      afterOpenChange={setShown}
      // the dialog's own trap and return of the focus are replaced by the ones above: its trap put the
      // focus on the close button (where Space closed the dialog) and returned it only when the closing
      // animation ended
      focusable={{ trap: false, focusTriggerAfterClose: false }}
      modalRender={(node) => <div ref={box}>{node}</div>}
      footer={footer}
    >
      <Space orientation="vertical" size={8} style={{ width: '100%' }}>
        {devices.length > 1 ? (
          <Space>
            <Typography.Text>Camera:</Typography.Text>
            <Select
              aria-label="Camera"
              style={{ minWidth: 320 }}
              value={state.status === 'live' ? state.deviceId : undefined}
              onChange={(id: string) => {
                setPhase({ step: 'live' });
                choose(id);
              }}
              disabled={phase.step === 'saving'}
              options={devices.map((d) => ({ value: d.deviceId, label: d.label }))}
            />
          </Space>
        ) : state.status === 'live' ? (
          <Typography.Text type="secondary">Camera: {state.label}</Typography.Text>
        ) : null}

        {state.status === 'error' && !showStill && (
          <Alert
            type="error"
            showIcon
            role="alert"
            title={CAMERA_MESSAGE[state.problem]}
            action={
              <Button size="small" onClick={retry}>
                Thử lại
              </Button>
            }
          />
        )}
        {state.status === 'error' && showStill && (
          <Alert type="warning" showIcon title={CAMERA_MESSAGE[state.problem]} />
        )}

        <div style={{ textAlign: 'center', background: '#1f1f1f', borderRadius: 6, lineHeight: 0 }}>
          {showStill ? (
            <img
              src={phase.url}
              alt="Ảnh vừa chụp"
              style={{ maxWidth: '100%', maxHeight: PREVIEW_MAX_HEIGHT, display: 'inline-block' }}
            />
          ) : (
            <div
              style={{
                position: 'relative',
                display: state.status === 'error' ? 'none' : 'inline-block',
                overflow: 'hidden',
                maxWidth: '100%',
              }}
            >
              <video
                ref={video}
                autoPlay
                muted
                playsInline
                aria-label="Hình từ camera"
                onLoadedMetadata={(e) =>
                  setSize({ width: e.currentTarget.videoWidth, height: e.currentTarget.videoHeight })
                }
                onResize={(e) =>
                  setSize({ width: e.currentTarget.videoWidth, height: e.currentTarget.videoHeight })
                }
                style={{ display: 'block', maxWidth: '100%', maxHeight: PREVIEW_MAX_HEIGHT, minHeight: 120 }}
              />
              {previewRect && size && (
                <div
                  data-testid="capture-guide"
                  aria-hidden="true"
                  style={{
                    position: 'absolute',
                    left: `${(previewRect.x / size.width) * 100}%`,
                    top: `${(previewRect.y / size.height) * 100}%`,
                    width: `${(previewRect.width / size.width) * 100}%`,
                    height: `${(previewRect.height / size.height) * 100}%`,
                    border: '2px dashed #fff',
                    borderRadius: target === 'card' ? 10 : 2,
                    boxShadow: '0 0 0 100vmax rgba(0, 0, 0, 0.45)',
                  }}
                />
              )}
              {state.status === 'starting' && (
                <div
                  role="status"
                  style={{
                    position: 'absolute',
                    inset: 0,
                    display: 'grid',
                    placeItems: 'center',
                    color: '#fff',
                    lineHeight: 1.5,
                  }}
                >
                  <span>
                    <Spin size="small" /> Đang mở camera…
                  </span>
                </div>
              )}
            </div>
          )}
        </div>

        {phase.step === 'live' && state.status !== 'error' && (
          <Typography.Text type="secondary">
            {hint ?? t.hint}
            {dpi !== null && target !== 'photo' && dpi < MIN_TEXT_DPI && (
              <Typography.Text type="warning">
                {' '}
                Camera này chỉ cho khoảng {dpi} dpi trên giấy tờ, chưa đủ để đọc chữ ({MIN_TEXT_DPI} dpi): nên
                dùng máy quét.
              </Typography.Text>
            )}
          </Typography.Text>
        )}
        {showStill && (
          <Typography.Text type="secondary" data-testid="capture-info">
            Ảnh {phase.still.width}×{phase.still.height} điểm ảnh, khoảng {phase.still.dpi} dpi,{' '}
            {Math.round(phase.still.jpeg.length / 1024)} KB.
          </Typography.Text>
        )}
        {phase.step === 'saving' && (
          <div role="status">
            <Spin size="small" /> <Typography.Text>Đang lưu ảnh và kiểm tra chất lượng…</Typography.Text>
          </div>
        )}
        {phase.step === 'refused' && (
          <Alert
            type="warning"
            showIcon
            role="alert"
            title="Ảnh chưa đạt chất lượng: đề nghị chụp lại."
            description={phase.messages.join(' ')}
          />
        )}
        {error && <Alert type="error" showIcon role="alert" title={error} />}
      </Space>
    </Modal>
  );
}
