// The camera behind the capture dialog: opens it with getUserMedia (video only, never audio) while
// `active`, lists the cameras, switches between them and remembers the officer's choice on this
// machine (localStorage; deviceIds are stable per origin and machine), and stops every track when
// it is no longer active or the component goes away, so the camera's light goes off.
//
// Cameras are asked for by `exact` deviceId (an `ideal` one loses to the resolution's own ideal when
// the cameras' sizes differ). A remembered camera that is gone is not an error: the default camera
// opens instead.

import { useCallback, useEffect, useRef, useState } from 'react';
import {
  CAMERA_CHOICE_KEY,
  cameraProblemOf,
  cameraSupport,
  type CameraProblem,
} from '../../../contract/capture';

export type CameraDevice = { deviceId: string; label: string };

export type CameraState =
  | { status: 'off' }
  | { status: 'starting' }
  | { status: 'live'; stream: MediaStream; deviceId: string; label: string }
  | { status: 'error'; problem: CameraProblem };

// 1920×1080 where the camera has it (an ID card then gets ~430 dpi), else its best below that.
const VIDEO: MediaTrackConstraints = { width: { ideal: 1920 }, height: { ideal: 1080 } };

function remembered(): string | null {
  try {
    return localStorage.getItem(CAMERA_CHOICE_KEY);
  } catch {
    return null;
  }
}

function remember(deviceId: string): void {
  try {
    localStorage.setItem(CAMERA_CHOICE_KEY, deviceId);
  } catch {
    // storage full or disabled: the choice is simply not remembered
  }
}

function stopAll(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

export function useCamera(active: boolean): {
  state: CameraState;
  devices: CameraDevice[];
  /** switch to another camera (remembered for next time) */
  choose: (deviceId: string) => void;
  /** open the camera again after a problem */
  retry: () => void;
} {
  const [state, setState] = useState<CameraState>({ status: 'off' });
  const [devices, setDevices] = useState<CameraDevice[]>([]);
  const stream = useRef<MediaStream | null>(null);
  // Each start gets a number; a start that finishes after a newer one (or after closing) stops its
  // own stream at once instead of showing it.
  const generation = useRef(0);

  const listDevices = useCallback(async (): Promise<void> => {
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      const video = all.filter((d) => d.kind === 'videoinput' && d.deviceId);
      setDevices(video.map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` })));
    } catch {
      setDevices([]);
    }
  }, []);

  const release = useCallback((): void => {
    stopAll(stream.current);
    stream.current = null;
  }, []);

  /** Stops the camera and makes any start still waiting for getUserMedia drop its stream. */
  const shutDown = useCallback((): void => {
    generation.current += 1;
    release();
  }, [release]);

  const start = useCallback(
    async (pick: { deviceId: string; remembered: boolean } | null): Promise<void> => {
      const mine = ++generation.current;
      release();
      const unsupported = cameraSupport({
        isSecureContext: window.isSecureContext,
        hasGetUserMedia: typeof navigator.mediaDevices?.getUserMedia === 'function',
      });
      if (unsupported) {
        setState({ status: 'error', problem: unsupported });
        return;
      }
      setState({ status: 'starting' });
      const open = (deviceId: string | null): Promise<MediaStream> =>
        navigator.mediaDevices.getUserMedia({
          video: deviceId ? { ...VIDEO, deviceId: { exact: deviceId } } : VIDEO,
          audio: false,
        });
      let s: MediaStream;
      try {
        try {
          s = await open(pick?.deviceId ?? null);
        } catch (error) {
          if (!pick?.remembered || cameraProblemOf(error) !== 'absent') throw error;
          s = await open(null);
        }
      } catch (error) {
        if (mine === generation.current) setState({ status: 'error', problem: cameraProblemOf(error) });
        return;
      }
      if (mine !== generation.current) {
        stopAll(s);
        return;
      }
      stream.current = s;
      const track = s.getVideoTracks()[0];
      if (!track) {
        release();
        setState({ status: 'error', problem: 'absent' });
        return;
      }
      // stop() by us fires no 'ended': this is the camera going away (unplugged, disabled).
      const ended = (): void => {
        if (mine !== generation.current || stream.current !== s) return;
        release();
        setState({ status: 'error', problem: 'ended' });
      };
      track.addEventListener('ended', ended);
      if (track.readyState === 'ended') {
        ended();
        return;
      }
      const deviceId = track.getSettings().deviceId ?? '';
      setState({ status: 'live', stream: s, deviceId, label: track.label || 'Camera' });
      // labels are only readable once a camera is open
      await listDevices();
    },
    [listDevices, release],
  );

  useEffect(() => {
    if (!active) return;
    const saved = remembered();
    // start() sets state once getUserMedia answers; the first call only marks "starting".
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void start(saved ? { deviceId: saved, remembered: true } : null);
    const changed = (): void => void listDevices();
    navigator.mediaDevices?.addEventListener?.('devicechange', changed);
    return () => {
      navigator.mediaDevices?.removeEventListener?.('devicechange', changed);
      shutDown();
      setState({ status: 'off' });
    };
  }, [active, start, listDevices, shutDown]);

  const choose = useCallback(
    (deviceId: string): void => {
      remember(deviceId);
      void start({ deviceId, remembered: false });
    },
    [start],
  );

  const retry = useCallback((): void => {
    const saved = remembered();
    void start(saved ? { deviceId: saved, remembered: true } : null);
  }, [start]);

  return { state, devices, choose, retry };
}
