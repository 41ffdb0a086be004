// Reader scans (HID-POS readers from the main process, keyboard-wedge readers detected here) that open
// the matching dossier. Issue 6 item 7. A wedge reader "types" a whole code in a burst of a few ms per
// key ending in Enter, which no person does (contract/wedge.ts); the keys of a burst are held back from
// the focused field. The services find the dossier: a CCCD QR → the dossier with that ID number within
// the officer's scope (a pending one first), a form's QR → that dossier number.
import { message } from 'antd';
import { useEffect, useRef } from 'react';
import { WedgeDetector } from '../../../contract/wedge';
import type { ReaderMatch } from '../../../contract/workstationIntake';
import { api, call, errorMessage } from '../api';
import { readerClaim } from './readerClaim';

/**
 * `onOpen` gets the dossier's id, or '' with the match of a mobile desk's declaration not yet on the
 * service (its Mã tạm was scanned; `match.deskId` names it). A screen that claimed the reader
 * (readerClaim.ts) gets the scans instead.
 */
export function useReaderScan(onOpen: (dossierId: string, match: ReaderMatch) => void): void {
  const openRef = useRef(onOpen);
  useEffect(() => {
    openRef.current = onOpen;
  }, [onOpen]);

  useEffect(() => {
    const wedge = new WedgeDetector();
    const opened = (m: ReaderMatch): void => {
      void message.success(`Mở hồ sơ ${m.dossierNumber} — ${m.fullName}`);
      openRef.current(m.dossierId, m);
    };
    const lookup = async (text: string): Promise<void> => {
      const claim = readerClaim();
      if (claim) {
        claim.text(text);
        return;
      }
      try {
        opened(await call('reader.lookup', { text }));
      } catch (err) {
        void message.error(`Không mở được hồ sơ từ mã vừa quét: ${errorMessage(err)}`);
      }
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.isComposing || e.repeat) return;
      const scan = wedge.push({ key: e.key, time: e.timeStamp });
      if (scan) {
        e.preventDefault();
        e.stopPropagation();
        void lookup(scan.text);
      } else if (wedge.bursting) {
        // A reader is typing: keep its keys out of whatever field has the focus.
        e.preventDefault();
      }
    };
    window.addEventListener('keydown', onKey, true);
    const timer = window.setInterval(() => {
      const scan = wedge.flush(performance.now());
      if (scan) void lookup(scan.text);
    }, 100);
    const off = api.on((e) => {
      if (e.type === 'reader.scan') {
        const claim = readerClaim();
        if (claim) claim.hid(e);
        else if (e.result.ok) opened(e.result.match);
        else void message.error(`Không mở được hồ sơ từ mã vừa quét: ${e.result.error.message}`);
      } else if (e.type === 'reader.attached') {
        void message.info(`Đã kết nối máy đọc mã ${e.reader.name}.`);
      } else if (e.type === 'reader.detached') {
        void message.warning(`Máy đọc mã ${e.reader.name} đã ngắt kết nối.`);
      }
    });
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.clearInterval(timer);
      off();
    };
  }, []);
}
