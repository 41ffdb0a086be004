// WIA scanners on Windows through PowerShell and the WIA Automation COM objects that ship with
// Windows (WIA.DeviceManager): no extra install. The PowerShell scripts are generated here and print
// one JSON object per line; their output is parsed here too — so all of the logic except the COM
// calls themselves is testable on any OS.

import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { platform } from 'node:os';
import path from 'node:path';
import type {
  ScanErrorCode,
  ScanRequest,
  ScannedPage,
  ScannerCapabilities,
  ScannerDevice,
} from '../../contract/scan.js';
import { PAGE_SIZE_MM } from '../../contract/scan.js';
import { ScanError } from '../errors.js';
import { splitDeviceId, type ScanRun, type ScannerDriver } from './types.js';

/** WIA property ids (wiadef.h). */
export const WIA = {
  DEVICE_TYPE_SCANNER: 1,
  IPS_CUR_INTENT: 6146,
  IPS_XRES: 6147,
  IPS_YRES: 6148,
  IPS_XEXTENT: 6151,
  IPS_YEXTENT: 6152,
  DPS_DOCUMENT_HANDLING_SELECT: 3088,
  DPS_PAGES: 3096,
  FEEDER: 1,
  FLATBED: 2,
  INTENT_COLOR: 1,
  INTENT_GRAY: 2,
  INTENT_TEXT: 4,
  FORMAT_PNG: '{B96B3CAF-0728-11D3-9D7B-0000F81EF32E}',
} as const;

/** HRESULTs of WIA (wiadef.h) → our error codes. */
const WIA_ERRORS: Readonly<Record<string, ScanErrorCode>> = {
  '0x80210001': 'io', // WIA_ERROR_GENERAL_ERROR
  '0x80210002': 'jammed', // WIA_ERROR_PAPER_JAM
  '0x80210003': 'feeder_empty', // WIA_ERROR_PAPER_EMPTY
  '0x80210004': 'io', // WIA_ERROR_PAPER_PROBLEM
  '0x80210005': 'no_device', // WIA_ERROR_OFFLINE
  '0x80210006': 'busy', // WIA_ERROR_BUSY
  '0x80210007': 'io', // WIA_ERROR_WARMING_UP
  '0x8021000A': 'no_device', // WIA_ERROR_DEVICE_COMMUNICATION
  '0x8021000C': 'unsupported', // WIA_ERROR_INVALID_COMMAND
  '0x80210015': 'no_device', // WIA_S_NO_DEVICE_AVAILABLE
  '0x80210016': 'cover_open', // WIA_ERROR_COVER_OPEN
  '0x80210064': 'cancelled', // WIA_S_CANCELED / user cancelled
  '0x80004004': 'cancelled', // E_ABORT
};

export function wiaErrorCode(hresult: string): ScanErrorCode {
  const key = `0x${hresult.replace(/^0x/iu, '').toUpperCase().padStart(8, '0')}`;
  return WIA_ERRORS[key] ?? 'io';
}

/** A PowerShell single-quoted string literal ('' escapes '). */
export function psString(value: string): string {
  return `'${value.replace(/'/gu, "''")}'`;
}

const PREAMBLE = `$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
function Emit($o) { [Console]::Out.WriteLine(($o | ConvertTo-Json -Compress)) }
function HResult($e) { '0x{0:X8}' -f ($e.Exception.HResult -band 0xFFFFFFFF) }
`;

export function listScript(): string {
  return `${PREAMBLE}
try {
  $dm = New-Object -ComObject WIA.DeviceManager
  foreach ($info in $dm.DeviceInfos) {
    if ($info.Type -ne ${WIA.DEVICE_TYPE_SCANNER}) { continue }
    $name = $info.Properties.Item('Name').Value
    $maker = try { $info.Properties.Item('Manufacturer').Value } catch { '' }
    Emit @{ event = 'device'; id = $info.DeviceID; name = $name; vendor = $maker }
  }
  Emit @{ event = 'done' }
} catch { Emit @{ event = 'error'; hresult = (HResult $_); message = $_.Exception.Message } }
`;
}

export function scanScript(wiaDeviceId: string, request: ScanRequest, outDir: string): string {
  const size = PAGE_SIZE_MM[request.pageSize];
  const widthPx = Math.round((size.width / 25.4) * request.resolution);
  const heightPx = Math.round((size.height / 25.4) * request.resolution);
  const intent =
    request.colorMode === 'color'
      ? WIA.INTENT_COLOR
      : request.colorMode === 'gray'
        ? WIA.INTENT_GRAY
        : WIA.INTENT_TEXT;
  const feeder = request.source === 'feeder';
  const maxPages = feeder ? (request.maxPages ?? 500) : 1;
  return `${PREAMBLE}
function SetProp($props, $id, $value) { foreach ($p in $props) { if ($p.PropertyID -eq $id) { $p.Value = $value; return } } }
$index = 0
try {
  $dm = New-Object -ComObject WIA.DeviceManager
  $info = $null
  foreach ($i in $dm.DeviceInfos) { if ($i.DeviceID -eq ${psString(wiaDeviceId)}) { $info = $i } }
  if ($null -eq $info) { Emit @{ event = 'error'; hresult = '0x80210015'; message = 'device not found' }; exit 0 }
  $device = $info.Connect()
  SetProp $device.Properties ${WIA.DPS_DOCUMENT_HANDLING_SELECT} ${feeder ? WIA.FEEDER : WIA.FLATBED}
  ${feeder ? `SetProp $device.Properties ${WIA.DPS_PAGES} 1` : ''}
  $item = $device.Items.Item(1)
  SetProp $item.Properties ${WIA.IPS_CUR_INTENT} ${intent}
  SetProp $item.Properties ${WIA.IPS_XRES} ${request.resolution}
  SetProp $item.Properties ${WIA.IPS_YRES} ${request.resolution}
  SetProp $item.Properties ${WIA.IPS_XEXTENT} ${widthPx}
  SetProp $item.Properties ${WIA.IPS_YEXTENT} ${heightPx}
  while ($index -lt ${maxPages}) {
    Emit @{ event = 'progress'; page = ($index + 1) }
    try {
      $image = $item.Transfer(${psString(WIA.FORMAT_PNG)})
    } catch {
      $hr = HResult $_
      # An empty feeder after at least one page is the normal end of a batch.
      if ($hr -eq '0x80210003' -and $index -gt 0) { break }
      Emit @{ event = 'error'; hresult = $hr; message = $_.Exception.Message; pages = $index }
      exit 0
    }
    $index++
    $file = Join-Path ${psString(outDir)} ('page-{0:D4}.png' -f $index)
    if (Test-Path $file) { Remove-Item $file }
    $image.SaveFile($file)
    Emit @{ event = 'page'; index = ($index - 1); path = $file; width = $image.Width; height = $image.Height }
  }
  Emit @{ event = 'done'; pages = $index }
} catch { Emit @{ event = 'error'; hresult = (HResult $_); message = $_.Exception.Message; pages = $index } }
`;
}

export type WiaEvent =
  | { event: 'device'; id: string; name: string; vendor?: string }
  | { event: 'progress'; page: number }
  | { event: 'page'; index: number; path: string; width: number; height: number }
  | { event: 'done'; pages?: number }
  | { event: 'error'; hresult: string; message: string; pages?: number };

/** One line of script output → an event (lines that are not our JSON are ignored: PowerShell noise). */
export function parseWiaLine(line: string): WiaEvent | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const value = JSON.parse(trimmed) as { event?: unknown };
    return typeof value.event === 'string' ? (value as WiaEvent) : null;
  } catch {
    return null;
  }
}

export function devicesFromOutput(output: string): ScannerDevice[] {
  const devices: ScannerDevice[] = [];
  for (const line of output.split(/\r?\n/u)) {
    const e = parseWiaLine(line);
    if (e?.event === 'device')
      devices.push({
        id: `wia:${e.id}`,
        backend: 'wia',
        name: e.name,
        ...(e.vendor ? { vendor: e.vendor } : {}),
      });
    if (e?.event === 'error') throw new ScanError(wiaErrorCode(e.hresult), e.message);
  }
  return devices;
}

/** The scan's output (all lines) → pages, or the typed error (with the pages delivered before it). */
export function pagesFromOutput(output: string, resolution: number): ScannedPage[] {
  const pages: ScannedPage[] = [];
  let done = false;
  for (const line of output.split(/\r?\n/u)) {
    const e = parseWiaLine(line);
    if (!e) continue;
    if (e.event === 'page')
      pages.push({
        index: e.index,
        path: e.path,
        mediaType: 'image/png',
        width: e.width,
        height: e.height,
        resolution,
      });
    if (e.event === 'done') done = true;
    if (e.event === 'error') {
      const error = new ScanError(wiaErrorCode(e.hresult), `${e.hresult}: ${e.message}`);
      error.partialPages = pages;
      throw error;
    }
  }
  if (!done) throw new ScanError('io', 'Tiến trình WIA kết thúc giữa chừng.');
  return pages;
}

export type WiaOptions = { powershell?: string; timeoutMs?: number };

export class WiaDriver implements ScannerDriver {
  readonly backend = 'wia' as const;
  private readonly options: WiaOptions;

  constructor(options: WiaOptions = {}) {
    this.options = options;
  }

  private run(script: string, onLine?: (e: WiaEvent) => void, signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        this.options.powershell ?? 'powershell.exe',
        ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', '-'],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
          windowsHide: true,
        },
      );
      let out = '';
      let pending = '';
      const timer = setTimeout(() => child.kill(), this.options.timeoutMs ?? 600_000);
      const onAbort = (): void => {
        child.kill();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        pending += d;
        const lines = pending.split(/\r?\n/u);
        pending = lines.pop() ?? '';
        for (const l of lines) {
          const e = parseWiaLine(l);
          if (e) onLine?.(e);
        }
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new ScanError('no_device', error.code === 'ENOENT' ? 'Không có PowerShell.' : error.message));
      });
      child.on('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) reject(new ScanError('cancelled'));
        else resolve(out);
      });
      child.stdin.end(script);
    });
  }

  async list(): Promise<ScannerDevice[]> {
    if (platform() !== 'win32' && !this.options.powershell) return [];
    return devicesFromOutput(await this.run(listScript()));
  }

  async capabilities(_deviceId: string): Promise<ScannerCapabilities> {
    // WIA 2 reports ranges per item; these are what every WIA flatbed/ADF driver accepts.
    return {
      resolutions: [150, 200, 300, 600],
      colorModes: ['color', 'gray', 'bw'],
      sources: ['flatbed', 'feeder'],
      maxWidthMm: 216,
      maxHeightMm: 297,
    };
  }

  async scan(deviceId: string, request: ScanRequest, run: ScanRun): Promise<ScannedPage[]> {
    const [backend, id] = splitDeviceId(deviceId);
    if (backend !== 'wia' || !id) throw new ScanError('no_device', deviceId);
    const dir = path.join(run.outDir, `wia-${Date.now()}`);
    await mkdir(dir, { recursive: true });
    const output = await this.run(
      scanScript(id, request, dir),
      (e) => {
        if (e.event === 'progress') run.onProgress?.({ page: e.page, percent: 0, pagesDone: e.page - 1 });
        if (e.event === 'page') {
          run.onProgress?.({ page: e.index + 1, percent: 100, pagesDone: e.index + 1 });
          run.onPage?.({
            index: e.index,
            path: e.path,
            mediaType: 'image/png',
            width: e.width,
            height: e.height,
            resolution: request.resolution,
          });
        }
      },
      run.signal,
    );
    return pagesFromOutput(output, request.resolution);
  }
}
