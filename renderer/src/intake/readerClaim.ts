// Who gets the next reader scan. By default a scan opens the dossier it names (useReaderScan); a
// screen that reads cards itself (the mobile desk's Kê khai mới, which fills its form from the card's
// QR) claims the reader while it is shown and gets the keyboard-wedge text and the HID-POS events.
import type { WsEvent } from '../../../contract/workstation';

export type ReaderClaim = {
  /** a keyboard-wedge burst, as typed by the reader */
  text(text: string): void;
  /** a HID-POS scan as the services heard it (what was read, and whether a dossier matched) */
  hid(event: Extract<WsEvent, { type: 'reader.scan' }>): void;
};

let current: ReaderClaim | null = null;

/** Take the reader; the returned function gives it back. */
export function claimReader(claim: ReaderClaim): () => void {
  current = claim;
  return () => {
    if (current === claim) current = null;
  };
}

export function readerClaim(): ReaderClaim | null {
  return current;
}
