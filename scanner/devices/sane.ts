// SANE scanners through the `scanimage` command (Linux, macOS): list, read capabilities, scan one page
// from the flatbed or a batch from the feeder, report progress, cancel, and turn scanimage's failures
// into typed errors. Debian's `test` backend is a real SANE device with no hardware (resources/sane).
//
// A stall watchdog cuts a scanimage that goes silent (no progress, no page, no message) for longer
// than `stallTimeoutMs`, by default seconds, not minutes (defaultStallMs: 10 s at up to 300 dpi,
// more for finer resolutions and longer feeder batches): scanimage can hang for good after a device
// fault (seen with the test device's cover-open fault on a loaded machine: it was stopping the scanner
// after a SIGPIPE from its reader process and never returned). scanimage runs in a process group of
// its own, and the whole group is killed when it stops, stalls or is cancelled, so a backend's reader
// process cannot keep the pipes open after scanimage has gone. A fault the device reported before
// the silence is the error given; otherwise it is "máy quét không phản hồi" (timeout).

import { spawn } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import {
  PAGE_SIZE_MM,
  type ColorMode,
  type ScanRequest,
  type ScannedPage,
  type ScannerCapabilities,
  type ScannerDevice,
  type ScanSource,
} from '../../contract/scan.js';
import { ScanError } from '../errors.js';
import { splitDeviceId, type ScanRun, type ScannerDriver } from './types.js';

export type SaneOptions = {
  /** the scanimage binary (default "scanimage" on PATH) */
  command?: string;
  /** SANE_CONFIG_DIR for the child (resources/sane in tests) */
  configDir?: string;
  /** extra scanimage arguments per scan (tests use `--read-return-value …` to make the device fail) */
  extraArgs?: string[];
  /** a scan that makes no progress for this long is stopped (default: defaultStallMs of the request) */
  stallTimeoutMs?: number;
};

/**
 * How long a scan may be silent before the watchdog cuts it: 10 s at up to 300 dpi (scanimage prints
 * its progress many times a second while a page comes in, and a device starts within a few seconds),
 * scaled with the resolution above 300 dpi (a carriage moves more slowly: 600 dpi 20 s, 1200 dpi
 * 40 s), plus 0.5 s per page of a feeder batch (a feeder picks a sheet from a full tray more slowly),
 * at most 60 s.
 */
export function defaultStallMs(resolution: number, pages = 1): number {
  const perResolution = 10_000 * Math.max(1, resolution / 300);
  return Math.min(60_000, Math.round(perResolution + 500 * Math.max(0, pages - 1)));
}

/** Kills a child's whole process group (scanimage and any reader process its backend forked). */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

type RunResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** scanimage's messages (SANE status strings) → our error codes. */
export function saneErrorCode(stderr: string): ScanError['code'] | null {
  const s = stderr.toLowerCase();
  if (/out of documents|no documents/u.test(s)) return 'feeder_empty';
  if (/cover is open|cover open/u.test(s)) return 'cover_open';
  if (/jammed/u.test(s)) return 'jammed';
  if (/device busy/u.test(s)) return 'busy';
  if (/operation was cancel/u.test(s)) return 'cancelled';
  if (/open of device .* failed|no scanners were identified|invalid argument/u.test(s)) return 'no_device';
  if (/operation not supported|invalid argument/u.test(s)) return 'unsupported';
  if (/error during device i\/o|i\/o error|access to resource has been denied|out of memory/u.test(s))
    return 'io';
  return null;
}

const SOURCE_NAMES: Record<ScanSource, RegExp> = {
  flatbed: /flatbed|platen/iu,
  feeder: /feeder|adf/iu,
};

export function parseCapabilities(
  helpText: string,
): ScannerCapabilities & { sourceNames: Record<string, string>; modeNames: Record<string, string> } {
  const option = (name: string): string | null => {
    const m = new RegExp(`^\\s*${name}\\s+(\\S.*?)\\s*$`, 'mu').exec(helpText);
    return m?.[1] ?? null;
  };
  const listOf = (spec: string | null): string[] =>
    spec
      ? spec
          .replace(/\s*\[[^\]]*\]\s*$/u, '')
          .split('|')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
  const resolutions: number[] = [];
  const res = option('--resolution');
  if (res) {
    const range = /(\d+)\.\.(\d+)dpi/u.exec(res);
    if (range) {
      const [lo, hi] = [Number(range[1]), Number(range[2])];
      for (const r of [75, 100, 150, 200, 300, 400, 600, 1200]) if (r >= lo && r <= hi) resolutions.push(r);
    } else {
      for (const r of res.replace(/dpi.*$/u, '').split('|')) if (Number(r) > 0) resolutions.push(Number(r));
    }
  }
  const modeNames: Record<string, string> = {};
  for (const m of listOf(option('--mode'))) {
    if (/colou?r/iu.test(m)) modeNames.color ??= m;
    else if (/gr[ae]y/iu.test(m)) modeNames.gray ??= m;
    else if (/lineart|binary|halftone/iu.test(m)) modeNames.bw ??= m;
  }
  const sourceNames: Record<string, string> = {};
  const sources = listOf(option('--source'));
  for (const s of sources) {
    for (const key of ['flatbed', 'feeder'] as const) if (SOURCE_NAMES[key].test(s)) sourceNames[key] ??= s;
  }
  if (sources.length === 0) sourceNames.flatbed = '';
  const maxOf = (flag: string): number => {
    const m = /\.\.([\d.]+)mm/u.exec(option(flag) ?? '');
    return m ? Number(m[1]) : 0;
  };
  return {
    resolutions,
    colorModes: (['color', 'gray', 'bw'] as ColorMode[]).filter((m) => modeNames[m] !== undefined),
    sources: (['flatbed', 'feeder'] as ScanSource[]).filter((s) => sourceNames[s] !== undefined),
    maxWidthMm: maxOf('-x'),
    maxHeightMm: maxOf('-y'),
    sourceNames,
    modeNames,
  };
}

export class SaneDriver implements ScannerDriver {
  readonly backend = 'sane' as const;
  private readonly options: SaneOptions;

  constructor(options: SaneOptions = {}) {
    this.options = options;
  }

  private env(): NodeJS.ProcessEnv {
    return this.options.configDir ? { ...process.env, SANE_CONFIG_DIR: this.options.configDir } : process.env;
  }

  private run(args: string[], timeoutMs = 30_000): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.command ?? 'scanimage', args, {
        env: this.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new ScanError(
            'no_device',
            error.code === 'ENOENT' ? 'Chưa cài SANE (không có lệnh scanimage).' : error.message,
          ),
        );
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
  }

  async list(): Promise<ScannerDevice[]> {
    const r = await this.run(['-f', '%d\t%v\t%m\t%t%n']);
    if (r.code !== 0 && r.stdout.trim() === '') return [];
    return r.stdout
      .split('\n')
      .filter((l) => l.includes('\t'))
      .map((line) => {
        const [name = '', vendor = '', model = '', type = ''] = line.split('\t');
        return {
          id: `sane:${name}`,
          backend: 'sane' as const,
          name: `${vendor} ${model} (${type})`.trim(),
          vendor,
          model,
        };
      });
  }

  private async describe(device: string): Promise<ReturnType<typeof parseCapabilities>> {
    const r = await this.run(['-d', device, '-A']);
    if (r.code !== 0) throw new ScanError(saneErrorCode(r.stderr) ?? 'no_device', r.stderr.trim());
    return parseCapabilities(r.stdout);
  }

  async capabilities(deviceId: string): Promise<ScannerCapabilities> {
    const { sourceNames: _s, modeNames: _m, ...caps } = await this.describe(this.deviceName(deviceId));
    return caps;
  }

  private deviceName(deviceId: string): string {
    const [backend, name] = splitDeviceId(deviceId);
    if (backend !== 'sane' || name === '')
      throw new ScanError('no_device', `Không phải thiết bị SANE: ${deviceId}`);
    return name;
  }

  async scan(deviceId: string, request: ScanRequest, run: ScanRun): Promise<ScannedPage[]> {
    const device = this.deviceName(deviceId);
    if (run.signal?.aborted) throw new ScanError('cancelled');
    const caps = await this.describe(device);
    const mode = caps.modeNames[request.colorMode];
    const source = caps.sourceNames[request.source];
    if (mode === undefined || source === undefined) {
      throw new ScanError(
        'unsupported',
        `Chế độ ${request.colorMode} / nguồn ${request.source} không có trên ${device}.`,
      );
    }
    const size = PAGE_SIZE_MM[request.pageSize];
    await mkdir(run.outDir, { recursive: true });
    // A fresh sub-folder per scan: pages of an earlier scan are never mistaken for this one's.
    const stamp = `scan-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const dir = path.join(run.outDir, stamp);
    await mkdir(dir);
    const args = [
      '-d',
      device,
      '--format=png',
      '--resolution',
      String(request.resolution),
      '--mode',
      mode,
      '--progress',
    ];
    if (source !== '') args.push('--source', source);
    if (caps.maxWidthMm > 0)
      args.push(
        '-x',
        String(Math.min(size.width, caps.maxWidthMm)),
        '-y',
        String(Math.min(size.height, caps.maxHeightMm)),
      );
    const feeder = request.source === 'feeder';
    const pattern = path.join(dir, 'page-%04d.png');
    if (feeder) {
      args.push(`--batch=${pattern}`, '--batch-print');
      if (request.maxPages) args.push(`--batch-count=${request.maxPages}`);
    } else {
      args.push(`--output-file=${path.join(dir, 'page-0001.png')}`);
    }
    args.push(...(this.options.extraArgs ?? []));

    const pages: ScannedPage[] = [];
    const pageOf = async (file: string, index: number): Promise<ScannedPage> => {
      const meta = await sharp(file).metadata();
      return {
        index,
        path: file,
        mediaType: 'image/png',
        width: meta.width ?? 0,
        height: meta.height ?? 0,
        resolution: request.resolution,
      };
    };

    const stallMs =
      this.options.stallTimeoutMs ??
      defaultStallMs(request.resolution, feeder ? (request.maxPages ?? 10) : 1);
    const result = await new Promise<{
      code: number | null;
      stderr: string;
      cancelled: boolean;
      stalled: boolean;
    }>((resolve, reject) => {
      const child = spawn(this.options.command ?? 'scanimage', args, {
        env: this.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
        // a process group of its own: the watchdog and cancel reach the backend's reader process too
        detached: true,
      });
      let stderr = '';
      let cancelled = false;
      let stalled = false;
      let page = 1;
      let pending: Promise<void> = Promise.resolve();
      let stallTimer = setTimeout(onStall, stallMs);
      function onStall(): void {
        stalled = true;
        killGroup(child.pid, 'SIGKILL');
      }
      const touch = (): void => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(onStall, stallMs);
      };
      const onAbort = (): void => {
        cancelled = true;
        // scanimage answers SIGINT with sane_cancel(): the device stops cleanly. Kill the group if it lingers.
        child.kill('SIGINT');
        setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000).unref();
      };
      // scanimage gone: whatever its backend left running is of no use and would hold the pipes open.
      child.on('exit', () => killGroup(child.pid, 'SIGKILL'));
      run.signal?.addEventListener('abort', onAbort, { once: true });
      let partial = '';
      let seen = 0;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        touch();
        // --batch-print names each page file as it completes; a chunk may hold several names or end
        // mid-name, and pages are numbered as they are named (not when their size has been read).
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines.map((l) => l.trim()).filter(Boolean)) {
          const index = seen++;
          pending = pending.then(async () => {
            const p = await pageOf(line, index);
            pages.push(p);
            run.onProgress?.({ page: index + 1, percent: 100, pagesDone: pages.length });
            run.onPage?.(p);
          });
          page += 1;
        }
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        touch();
        stderr += chunk;
        if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
        const matches = [...chunk.matchAll(/Progress: ([\d.]+)%/gu)];
        const last = matches[matches.length - 1];
        if (last)
          run.onProgress?.({ page, percent: Math.min(100, Number(last[1])), pagesDone: pages.length });
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(stallTimer);
        reject(
          new ScanError(
            'no_device',
            error.code === 'ENOENT' ? 'Chưa cài SANE (không có lệnh scanimage).' : error.message,
          ),
        );
      });
      child.on('close', (code) => {
        clearTimeout(stallTimer);
        run.signal?.removeEventListener('abort', onAbort);
        const last = partial.trim();
        if (last !== '' && code === 0) {
          const index = seen++;
          pending = pending.then(async () => {
            const p = await pageOf(last, index);
            pages.push(p);
            run.onPage?.(p);
          });
        }
        pending.then(() => resolve({ code, stderr, cancelled, stalled }), reject);
      });
    });

    const cleanup = async (): Promise<void> => {
      await rm(dir, { recursive: true, force: true });
    };
    if (result.cancelled) {
      await cleanup();
      throw new ScanError('cancelled');
    }
    if (result.stalled) {
      await cleanup();
      // A fault the device reported before going silent says more than the silence.
      const fault = saneErrorCode(result.stderr);
      throw new ScanError(
        fault && fault !== 'cancelled' ? fault : 'timeout',
        fault
          ? lastLine(result.stderr)
          : `Không có tín hiệu từ máy quét trong ${Math.round(stallMs / 1000)} giây.`,
      );
    }
    const reason = saneErrorCode(result.stderr);
    if (feeder) {
      // The feeder running out after at least one page is how a batch ends, not an error.
      if (
        pages.length > 0 &&
        (result.code === 0 || reason === 'feeder_empty') &&
        !/sane_read/u.test(result.stderr)
      ) {
        return pages;
      }
      await cleanup();
      throw new ScanError(reason ?? 'io', lastLine(result.stderr));
    }
    if (result.code !== 0) {
      await cleanup();
      throw new ScanError(reason ?? 'io', lastLine(result.stderr));
    }
    const files = (await readdir(dir)).filter((f) => f.endsWith('.png')).sort();
    for (const [index, file] of files.entries()) {
      const p = await pageOf(path.join(dir, file), index);
      pages.push(p);
      // scanimage's last "Progress" line may be lost with the pipe closing: a finished page is 100%.
      run.onProgress?.({ page: index + 1, percent: 100, pagesDone: pages.length });
      run.onPage?.(p);
    }
    if (pages.length === 0) throw new ScanError('io', 'Máy quét không trả về trang nào.');
    return pages;
  }
}

function lastLine(text: string): string {
  return (
    text
      .replace(/Progress: [\d.]+%/gu, '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? ''
  );
}
