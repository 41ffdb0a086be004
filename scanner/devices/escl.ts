// eSCL (AirScan) scanners over HTTP, on any OS, following the Mopria eSCL documents:
// GET ScannerCapabilities, POST ScanJobs (ScanSettings) → Location, GET {job}/NextDocument until 404
// (503 = not ready yet: retry), GET ScannerStatus to explain a failure (ADF empty / jam / door
// open), DELETE {job} to cancel. Devices are configured by URL (discovery by mDNS is not done here).

import { mkdir, writeFile } from 'node:fs/promises';
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
import { escapeXml, elements, text, texts } from '../escl/xml.js';
import { splitDeviceId, type ScanRun, type ScannerDriver, type ScannerLog } from './types.js';

export type EsclOptions = {
  /** eSCL roots, e.g. "http://192.168.1.20/eSCL" */
  urls: string[];
  /** per-request timeout (default 30 s) */
  timeoutMs?: number;
  /** how many 503 "not ready" answers to wait through per page (default 60, 0.5 s apart) */
  notReadyRetries?: number;
  retryDelayMs?: number;
  /** told of a configured scanner left out of the list because it did not answer */
  log?: ScannerLog;
};

const COLOR_TO_ESCL: Record<ColorMode, string> = { color: 'RGB24', gray: 'Grayscale8', bw: 'BlackAndWhite1' };

type Parsed = ScannerCapabilities & { makeAndModel: string; formats: string[] };

export function parseEsclCapabilities(xml: string): Parsed {
  if (!/<(?:\w+:)?ScannerCapabilities[\s>]/u.test(xml))
    throw new ScanError('io', 'Máy quét trả về tài liệu không phải ScannerCapabilities.');
  const sources: ScanSource[] = [];
  const platen = elements(xml, 'PlatenInputCaps')[0];
  const adf = elements(xml, 'AdfSimplexInputCaps')[0];
  if (platen !== undefined) sources.push('flatbed');
  if (adf !== undefined) sources.push('feeder');
  const caps = platen ?? adf ?? '';
  const modes = new Set(texts(caps, 'ColorMode'));
  const resolutions = [
    ...new Set(
      elements(caps, 'DiscreteResolution')
        .map((r) => Number(text(r, 'XResolution')))
        .filter((r) => r > 0),
    ),
  ].sort((a, b) => a - b);
  const px300 = (name: string): number => Number(text(caps, name) ?? 0);
  return {
    makeAndModel: text(xml, 'MakeAndModel') ?? 'eSCL',
    resolutions,
    colorModes: (['color', 'gray', 'bw'] as ColorMode[]).filter((m) => modes.has(COLOR_TO_ESCL[m])),
    sources,
    // eSCL sizes are in 1/300 inch
    maxWidthMm: Math.round((px300('MaxWidth') / 300) * 25.4),
    maxHeightMm: Math.round((px300('MaxHeight') / 300) * 25.4),
    formats: [...new Set(texts(caps, 'DocumentFormat').concat(texts(caps, 'DocumentFormatExt')))],
  };
}

/** ScanSettings for a request (region in 1/300 inch, from the page size). */
export function scanSettingsXml(request: ScanRequest, format: string): string {
  const size = PAGE_SIZE_MM[request.pageSize];
  const w = Math.round((size.width / 25.4) * 300);
  const h = Math.round((size.height / 25.4) * 300);
  return `<?xml version="1.0" encoding="UTF-8"?>
<scan:ScanSettings xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
  <pwg:Version>2.63</pwg:Version>
  <scan:Intent>Document</scan:Intent>
  <pwg:ScanRegions><pwg:ScanRegion>
    <pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>
    <pwg:XOffset>0</pwg:XOffset><pwg:YOffset>0</pwg:YOffset>
    <pwg:Width>${w}</pwg:Width><pwg:Height>${h}</pwg:Height>
  </pwg:ScanRegion></pwg:ScanRegions>
  <pwg:InputSource>${request.source === 'feeder' ? 'Feeder' : 'Platen'}</pwg:InputSource>
  <scan:ColorMode>${COLOR_TO_ESCL[request.colorMode]}</scan:ColorMode>
  <pwg:DocumentFormat>${escapeXml(format)}</pwg:DocumentFormat>
  <scan:DocumentFormatExt>${escapeXml(format)}</scan:DocumentFormatExt>
  <scan:XResolution>${request.resolution}</scan:XResolution>
  <scan:YResolution>${request.resolution}</scan:YResolution>
</scan:ScanSettings>`;
}

/** ScannerStatus → the error that explains a failed request. */
export function errorFromStatus(xml: string, source: ScanSource): ScanError['code'] {
  const adf = text(xml, 'AdfState') ?? '';
  const state = text(xml, 'State') ?? '';
  if (source === 'feeder') {
    if (/Jam|Mispick|Multipick/u.test(adf)) return 'jammed';
    if (/DoorOpen|HatchOpen/u.test(adf)) return 'cover_open';
    if (/Empty/u.test(adf)) return 'feeder_empty';
  }
  if (state === 'Processing') return 'busy';
  return 'io';
}

export class EsclDriver implements ScannerDriver {
  readonly backend = 'escl' as const;
  private readonly options: EsclOptions;

  constructor(options: EsclOptions) {
    this.options = options;
  }

  private async request(url: string, init: RequestInit = {}, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    try {
      return await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (error) {
      if (signal?.aborted) throw new ScanError('cancelled');
      if (timeout.aborted) throw new ScanError('timeout', url);
      throw new ScanError('no_device', `${url}: ${(error as Error).message}`);
    }
  }

  private root(deviceId: string): string {
    const [backend, url] = splitDeviceId(deviceId);
    if (backend !== 'escl' || !/^https?:\/\//u.test(url))
      throw new ScanError('no_device', `Không phải máy quét eSCL: ${deviceId}`);
    return url.replace(/\/+$/u, '');
  }

  private async describe(root: string): Promise<Parsed> {
    const res = await this.request(`${root}/ScannerCapabilities`);
    if (!res.ok) throw new ScanError('no_device', `ScannerCapabilities: HTTP ${res.status}`);
    return parseEsclCapabilities(await res.text());
  }

  async list(): Promise<ScannerDevice[]> {
    const found = await Promise.all(
      this.options.urls.map(async (url) => {
        try {
          const caps = await this.describe(url.replace(/\/+$/u, ''));
          return [
            {
              id: `escl:${url.replace(/\/+$/u, '')}`,
              backend: 'escl' as const,
              name: caps.makeAndModel,
              model: caps.makeAndModel,
            },
          ];
        } catch (err) {
          // Listed without it: the other scanners still work, and IT finds why in the log.
          this.options.log?.warn({ url, err }, 'eSCL scanner did not answer');
          return [];
        }
      }),
    );
    return found.flat();
  }

  async capabilities(deviceId: string): Promise<ScannerCapabilities> {
    const { makeAndModel: _m, formats: _f, ...caps } = await this.describe(this.root(deviceId));
    return caps;
  }

  private async status(root: string): Promise<string> {
    try {
      const res = await this.request(`${root}/ScannerStatus`);
      return res.ok ? await res.text() : '';
    } catch {
      return '';
    }
  }

  async scan(deviceId: string, request: ScanRequest, run: ScanRun): Promise<ScannedPage[]> {
    const root = this.root(deviceId);
    if (run.signal?.aborted) throw new ScanError('cancelled');
    const caps = await this.describe(root);
    if (!caps.sources.includes(request.source) || !caps.colorModes.includes(request.colorMode)) {
      throw new ScanError('unsupported', `${request.source}/${request.colorMode}`);
    }
    if (caps.resolutions.length > 0 && !caps.resolutions.includes(request.resolution)) {
      throw new ScanError(
        'unsupported',
        `Độ phân giải ${request.resolution} dpi; máy hỗ trợ ${caps.resolutions.join(', ')}.`,
      );
    }
    const format = caps.formats.includes('image/png') ? 'image/png' : 'image/jpeg';
    const created = await this.request(
      `${root}/ScanJobs`,
      { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: scanSettingsXml(request, format) },
      run.signal,
    );
    if (created.status === 503) throw new ScanError('busy', 'ScanJobs: HTTP 503');
    if (created.status !== 201) {
      throw new ScanError(
        errorFromStatus(await this.status(root), request.source),
        `ScanJobs: HTTP ${created.status}`,
      );
    }
    const location = created.headers.get('location');
    if (!location) throw new ScanError('io', 'ScanJobs: thiếu Location.');
    const jobUrl = new URL(location, `${root}/`).toString().replace(/\/+$/u, '');

    await mkdir(run.outDir, { recursive: true });
    const dir = path.join(run.outDir, `escl-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
    await mkdir(dir);
    const pages: ScannedPage[] = [];
    const cancel = async (): Promise<never> => {
      await fetch(jobUrl, { method: 'DELETE', signal: AbortSignal.timeout(5000) }).catch(() => undefined);
      throw new ScanError('cancelled');
    };
    const limit = request.source === 'feeder' ? (request.maxPages ?? Number.POSITIVE_INFINITY) : 1;
    let notReady = 0;
    while (pages.length < limit) {
      if (run.signal?.aborted) await cancel();
      run.onProgress?.({ page: pages.length + 1, percent: 0, pagesDone: pages.length });
      let res: Response;
      try {
        res = await this.request(`${jobUrl}/NextDocument`, {}, run.signal);
      } catch (error) {
        if (error instanceof ScanError && error.code === 'cancelled') await cancel();
        throw error;
      }
      if (res.status === 503) {
        await res.arrayBuffer().catch(() => undefined);
        if (++notReady > (this.options.notReadyRetries ?? 60))
          throw new ScanError('timeout', 'NextDocument: HTTP 503');
        await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 500));
        continue;
      }
      notReady = 0;
      if (res.status === 404) break;
      if (!res.ok) {
        await res.arrayBuffer().catch(() => undefined);
        const error = new ScanError(
          errorFromStatus(await this.status(root), request.source),
          `NextDocument: HTTP ${res.status}`,
        );
        error.partialPages = pages;
        throw error;
      }
      const type = (res.headers.get('content-type') ?? format).split(';')[0]?.trim() ?? format;
      const bytes = Buffer.from(
        await readWithProgress(res, (percent) =>
          run.onProgress?.({ page: pages.length + 1, percent, pagesDone: pages.length }),
        ),
      );
      const mediaType: ScannedPage['mediaType'] = type === 'image/png' ? 'image/png' : 'image/jpeg';
      const file = path.join(
        dir,
        `page-${String(pages.length + 1).padStart(4, '0')}.${mediaType === 'image/png' ? 'png' : 'jpg'}`,
      );
      await writeFile(file, bytes);
      const { width, height } = await sharp(bytes).metadata();
      const page: ScannedPage = {
        index: pages.length,
        path: file,
        mediaType,
        width: width ?? 0,
        height: height ?? 0,
        resolution: request.resolution,
      };
      pages.push(page);
      run.onPage?.(page);
      run.onProgress?.({ page: pages.length, percent: 100, pagesDone: pages.length });
    }
    if (pages.length === 0) {
      const code = errorFromStatus(await this.status(root), request.source);
      throw new ScanError(
        code === 'io' && request.source === 'feeder' ? 'feeder_empty' : code,
        'NextDocument: HTTP 404',
      );
    }
    if (pages.length >= limit) {
      // Platen: one more NextDocument lets the device close the job (404); feeder stopped early: cancel it.
      if (request.source === 'flatbed') {
        await fetch(`${jobUrl}/NextDocument`, { signal: AbortSignal.timeout(5000) })
          .then(
            (r) => r.arrayBuffer(),
            () => undefined,
          )
          .catch(() => undefined);
      } else {
        await fetch(jobUrl, { method: 'DELETE', signal: AbortSignal.timeout(5000) }).catch(() => undefined);
      }
    }
    return pages;
  }
}

async function readWithProgress(res: Response, onPercent: (p: number) => void): Promise<Uint8Array> {
  const total = Number(res.headers.get('content-length') ?? 0);
  if (!res.body || total <= 0) return new Uint8Array(await res.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onPercent(Math.min(99, Math.round((received / total) * 100)));
  }
  return Buffer.concat(chunks);
}
