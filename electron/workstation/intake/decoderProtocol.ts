// The messages between the decoder (decoder.ts, main process) and its worker (decoderWorker.ts).
// Plain data only: they cross a structured clone.

import type { QualityReport, Recognition } from '../../../contract/scan.js';
import type { WsError } from '../../../contract/workstation.js';

export type DecoderJob =
  | {
      id: number;
      kind: 'prepare';
      bytes: Uint8Array;
      fileName?: string;
      maxPages: number;
      /** the mobile desk's compact JPEG (intake/images.ts Compact) */
      compact?: { quality: number; maxSide: number; keepJpegUnder: number };
    }
  | { id: number; kind: 'recognize'; bytes: Uint8Array; dpi: number | null }
  | { id: number; kind: 'close' };

/** A prepared page as it crosses: what intake/images.ts makes, with the decoded page's bytes. */
export type WirePage = {
  content: Uint8Array;
  mediaType: 'image/jpeg' | 'image/png';
  sha256: string;
  width: number;
  height: number;
  dpi: number | null;
  /** the page as decoded (PNG or the original JPEG/PNG): what recognition reads */
  pageBytes: Uint8Array;
  index: number;
};

export type DecoderReply =
  | { id: number; ok: true; kind: 'prepare'; pages: WirePage[]; totalPages: number }
  | {
      id: number;
      ok: true;
      kind: 'recognize';
      recognition?: Recognition;
      /** why nothing was recognised (Vietnamese, the scanner part's sentence) */
      error?: string;
      quality: QualityReport | null;
    }
  | { id: number; ok: true; kind: 'close' }
  | { id: number; ok: false; error: WsError; detail?: string };
