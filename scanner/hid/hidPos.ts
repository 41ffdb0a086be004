// Barcode/QR readers in USB HID Point-of-Sale mode (usage page 0x8C, "Bar Code Scanner") through
// node-hid. HID-POS delivers the decoded bytes as they are — UTF-8 with Vietnamese diacritics
// intact — where keyboard-wedge mode sends keystrokes that a Vietnamese input method mangles.
// A long QR (the ID card's is ~120–200 bytes) arrives in several reports: they are reassembled
// until a report without the continuation flag. Readers plugged in later are picked up by polling
// the device list (node-hid has no hot-plug events).

import { EventEmitter } from 'node:events';
import type { ReaderDevice, ReaderScan, ScanErrorInfo } from '../../contract/scan.js';
import { SCAN_ERROR_MESSAGE } from '../../contract/scan.js';

export const HID_POS_USAGE_PAGE = 0x8c;
/** Usage 0x02 = Bar Code Scanner (the application collection of a HID-POS reader). */
export const HID_POS_SCANNER_USAGE = 0x02;

/**
 * Byte layout of the Scanned Data Report (usage 0x8C:0x12) as HID-POS readers send it
 * (Honeywell, Zebra, Datalogic): report id, data length, 3 bytes of AIM symbology identifier,
 * the decoded data, and a flags byte whose bit 0 says "more data follows in the next report".
 * Kept as data so a reader with another layout is configuration, not code.
 */
export type HidPosLayout = {
  reportId: number;
  /** offsets count from the start of the buffer node-hid gives (byte 0 = report id) */
  lengthOffset: number;
  symbologyOffset: number;
  dataOffset: number;
  reportSize: number;
  continuationOffset: number;
  continuationMask: number;
};

export const DEFAULT_LAYOUT: HidPosLayout = {
  reportId: 0x02,
  lengthOffset: 1,
  symbologyOffset: 2,
  dataOffset: 5,
  reportSize: 64,
  continuationOffset: 63,
  continuationMask: 0x01,
};

export type HidPosReport = { data: Uint8Array; symbology: string; more: boolean };

/** One input report → its data bytes, or null when it is not a Scanned Data Report. */
export function parseHidPosReport(
  report: Uint8Array,
  layout: HidPosLayout = DEFAULT_LAYOUT,
): HidPosReport | null {
  if (report.length <= layout.dataOffset || report[0] !== layout.reportId) return null;
  const declared = report[layout.lengthOffset] ?? 0;
  const room = Math.min(report.length, layout.continuationOffset) - layout.dataOffset;
  const length = Math.max(0, Math.min(declared, room));
  const symbology = String.fromCharCode(
    ...report.subarray(layout.symbologyOffset, layout.symbologyOffset + 3),
  ).replace(/\0/gu, '');
  const flags = report[layout.continuationOffset] ?? 0;
  return {
    data: report.subarray(layout.dataOffset, layout.dataOffset + length),
    symbology,
    more: (flags & layout.continuationMask) !== 0,
  };
}

/** Builds the reports a reader would send for `text` (tests, and the docs' worked example). */
export function buildHidPosReports(
  text: string,
  layout: HidPosLayout = DEFAULT_LAYOUT,
  symbology = ']Q1',
): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const chunk = layout.continuationOffset - layout.dataOffset;
  const reports: Buffer[] = [];
  for (let offset = 0; offset === 0 || offset < bytes.length; offset += chunk) {
    const part = bytes.subarray(offset, offset + chunk);
    const report = Buffer.alloc(layout.reportSize);
    report[0] = layout.reportId;
    report[layout.lengthOffset] = part.length;
    report.write(symbology.slice(0, 3), layout.symbologyOffset, 'latin1');
    part.copy(report, layout.dataOffset);
    if (offset + chunk < bytes.length) report[layout.continuationOffset] = layout.continuationMask;
    reports.push(report);
  }
  return reports;
}

export type AssembledScan =
  { ok: true; text: string; symbology: string } | { ok: false; error: ScanErrorInfo };

/** Reassembles a multi-report scan; decodes UTF-8 strictly (bad bytes are an error, never "?"). */
export class HidPosAssembler {
  private parts: Uint8Array[] = [];
  private symbology = '';
  private readonly layout: HidPosLayout;
  /** a scan longer than this is garbage (a stuck continuation flag), not a QR */
  private readonly maxBytes: number;

  constructor(layout: HidPosLayout = DEFAULT_LAYOUT, maxBytes = 8192) {
    this.layout = layout;
    this.maxBytes = maxBytes;
  }

  /** Feed one report; returns the finished scan when this report completes one. */
  push(report: Uint8Array): AssembledScan | null {
    const parsed = parseHidPosReport(report, this.layout);
    if (!parsed) return null;
    if (this.parts.length === 0) this.symbology = parsed.symbology;
    this.parts.push(Uint8Array.from(parsed.data));
    const size = this.parts.reduce((n, p) => n + p.length, 0);
    if (size > this.maxBytes) {
      this.parts = [];
      return {
        ok: false,
        error: {
          code: 'bad_input',
          message: SCAN_ERROR_MESSAGE.bad_input,
          detail: `Dữ liệu từ máy đọc dài quá ${this.maxBytes} byte.`,
        },
      };
    }
    if (parsed.more) return null;
    const bytes = Buffer.concat(this.parts);
    this.parts = [];
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).normalize('NFC');
      return { ok: true, text: text.replace(/[\r\n]+$/u, ''), symbology: this.symbology };
    } catch {
      return {
        ok: false,
        error: {
          code: 'legacy_encoding',
          message: SCAN_ERROR_MESSAGE.legacy_encoding,
          detail: 'Dữ liệu từ máy đọc không phải UTF-8 (có thể là bảng mã cũ).',
        },
      };
    }
  }

  /** Drop a half-received scan (the reader was unplugged mid-scan). */
  reset(): void {
    this.parts = [];
  }
}

// ---------------------------------------------------------------------------------------------
// The node-hid boundary: device enumeration and open devices as events of raw input reports.
// ---------------------------------------------------------------------------------------------

export type HidDeviceInfo = {
  path?: string | undefined;
  vendorId: number;
  productId: number;
  product?: string | undefined;
  manufacturer?: string | undefined;
  usagePage?: number | undefined;
  usage?: number | undefined;
};

/** An open HID device: emits 'data' (Buffer, one input report) and 'error'. */
export type HidHandle = {
  on(event: 'data', listener: (report: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  close(): unknown;
};

export type HidBackend = {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
};

/** node-hid itself, loaded lazily so machines without libusb still start (readers are then absent). */
export async function nodeHidBackend(): Promise<HidBackend> {
  const hid = await import('node-hid');
  const mod = (hid as unknown as { default?: typeof hid }).default ?? hid;
  return {
    devices: () => mod.devicesAsync(),
    open: async (path) => (await mod.HIDAsync.open(path)) as unknown as HidHandle,
  };
}

export function isHidPosReader(d: HidDeviceInfo): boolean {
  return (
    d.usagePage === HID_POS_USAGE_PAGE &&
    (d.usage === undefined || d.usage === HID_POS_SCANNER_USAGE) &&
    !!d.path
  );
}

function toReader(d: HidDeviceInfo): ReaderDevice {
  return {
    id: `hid:${d.path ?? `${d.vendorId}:${d.productId}`}`,
    kind: 'hid_pos',
    name:
      [d.manufacturer, d.product].filter(Boolean).join(' ') ||
      `HID-POS ${d.vendorId.toString(16)}:${d.productId.toString(16)}`,
    vendorId: d.vendorId,
    productId: d.productId,
  };
}

export async function listReaders(backend?: HidBackend): Promise<ReaderDevice[]> {
  const b = backend ?? (await nodeHidBackend());
  return (await b.devices()).filter(isHidPosReader).map(toReader);
}

export type ReaderEvents = {
  attached: [ReaderDevice];
  detached: [ReaderDevice];
  scan: [ReaderScan & { symbology: string }];
  error: [{ reader: ReaderDevice; error: ScanErrorInfo }];
};

/**
 * Watches for HID-POS readers: opens each one present and each one plugged in later, emits every
 * completed scan, and forgets readers that are unplugged (their open handle errors, or they vanish
 * from the device list).
 */
export class HidReaderWatcher extends EventEmitter<ReaderEvents> {
  private readonly backend: HidBackend;
  private readonly pollMs: number;
  private readonly layout: HidPosLayout;
  private readonly open = new Map<
    string,
    { reader: ReaderDevice; handle: HidHandle; assembler: HidPosAssembler }
  >();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private readonly now: () => Date;

  constructor(
    backend: HidBackend,
    options: { pollMs?: number; layout?: HidPosLayout; now?: () => Date } = {},
  ) {
    super();
    this.backend = backend;
    this.pollMs = options.pollMs ?? 1000;
    this.layout = options.layout ?? DEFAULT_LAYOUT;
    this.now = options.now ?? (() => new Date());
  }

  get readers(): ReaderDevice[] {
    return [...this.open.values()].map((o) => o.reader);
  }

  /** Start watching; resolves after the first enumeration (readers present now are open). */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  /** One enumeration pass (also called by the timer); concurrent calls share one pass. */
  poll(): Promise<void> {
    this.polling ??= this.doPoll().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async doPoll(): Promise<void> {
    let present: HidDeviceInfo[];
    try {
      present = (await this.backend.devices()).filter(isHidPosReader);
    } catch {
      return; // enumeration failing once (device busy) is retried on the next tick
    }
    const paths = new Set(present.map((d) => d.path as string));
    for (const [path, entry] of this.open) if (!paths.has(path)) this.detach(path, entry.reader);
    for (const d of present) {
      const path = d.path as string;
      if (this.open.has(path)) continue;
      let handle: HidHandle;
      try {
        handle = await this.backend.open(path);
      } catch {
        continue; // opened by another program: try again on the next tick
      }
      const reader = toReader(d);
      const assembler = new HidPosAssembler(this.layout);
      this.open.set(path, { reader, handle, assembler });
      handle.on('data', (report: Buffer) => {
        const done = assembler.push(report);
        if (!done) return;
        if (done.ok)
          this.emit('scan', {
            readerId: reader.id,
            text: done.text,
            at: this.now().toISOString(),
            symbology: done.symbology,
          });
        else this.emit('error', { reader, error: done.error });
      });
      handle.on('error', () => this.detach(path, reader));
      this.emit('attached', reader);
    }
  }

  private detach(path: string, reader: ReaderDevice): void {
    const entry = this.open.get(path);
    if (!entry) return;
    this.open.delete(path);
    entry.assembler.reset();
    try {
      entry.handle.close();
    } catch {
      // already gone with the device
    }
    this.emit('detached', reader);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
    for (const [path, entry] of [...this.open]) this.detach(path, entry.reader);
  }
}
