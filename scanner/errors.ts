// The scanner's one error type: a code from contract/scan.ts plus its Vietnamese message, so every
// failure (a device fault, a corrupt file, an invalid QR) reaches the officer in words they understand.

import {
  SCAN_ERROR_MESSAGE,
  type ScanErrorCode,
  type ScanErrorInfo,
  type ScannedPage,
} from '../contract/scan.js';

export class ScanError extends Error {
  readonly code: ScanErrorCode;
  readonly detail: string | undefined;
  /** pages a feeder scan delivered before it failed (kept on disk: the officer may use them) */
  partialPages: ScannedPage[] = [];

  constructor(code: ScanErrorCode, detail?: string, message?: string) {
    super(message ?? SCAN_ERROR_MESSAGE[code]);
    this.name = 'ScanError';
    this.code = code;
    this.detail = detail;
  }

  toInfo(): ScanErrorInfo {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }
}

export function isScanError(error: unknown): error is ScanError {
  return error instanceof ScanError;
}

/** Any thrown value as a ScanErrorInfo (unknown errors become `io` with their text as detail). */
export function toScanErrorInfo(error: unknown): ScanErrorInfo {
  if (error instanceof ScanError) return error.toInfo();
  const detail = error instanceof Error ? error.message : String(error);
  return { code: 'io', message: SCAN_ERROR_MESSAGE.io, detail };
}
