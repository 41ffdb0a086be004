// The one interface every document-scanner backend implements (SANE, eSCL, WIA, file import), so the
// workstation lists, configures and drives any of them the same way.

import type {
  ScanProgress,
  ScanRequest,
  ScannedPage,
  ScannerBackend,
  ScannerCapabilities,
  ScannerDevice,
} from '../../contract/scan.js';

export type ScanRun = {
  /** folder the pages are written to (created if absent) */
  outDir: string;
  /** aborting cancels the scan: the device stops and the promise rejects with code `cancelled` */
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
  /** each page as soon as it is complete (feeder scans deliver several) */
  onPage?: (page: ScannedPage) => void;
};

export type ScannerDriver = {
  readonly backend: ScannerBackend;
  list(): Promise<ScannerDevice[]>;
  capabilities(deviceId: string): Promise<ScannerCapabilities>;
  scan(deviceId: string, request: ScanRequest, run: ScanRun): Promise<ScannedPage[]>;
};

/** "sane:test:0" → ["sane", "test:0"] */
export function splitDeviceId(id: string): [string, string] {
  const i = id.indexOf(':');
  return i < 0 ? [id, ''] : [id.slice(0, i), id.slice(i + 1)];
}

/**
 * Where the scanner part reports what it skipped and carried on without (a configured network scanner
 * that does not answer, HID readers unavailable): the shape of pino's `warn`, so the workstation hands
 * in its masked log (`ctx.log`). Messages name devices and addresses, never people.
 */
export type ScannerLog = { warn(obj: Record<string, unknown>, msg: string): void };
