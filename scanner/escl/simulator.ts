// An eSCL (AirScan) scanner simulator that follows the Mopria eSCL documents: ScannerCapabilities,
// ScannerStatus, POST ScanJobs → 201 + Location, GET …/NextDocument (200 per page, 503 while the
// page is being "scanned", 404 when the job is done), DELETE …/ScanJobs/{id} to cancel. It serves
// given page images (or blank numbered pages), can be busy, have an empty feeder, or fail mid-job
// (jam, door open) the way real devices report it: the page request fails and ScannerStatus shows
// the ADF state. Used by tests and by developers without a network scanner; sane-airscan's scanimage
// scans from it, which keeps it honest.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { escapeXml, text } from './xml.js';

const NS =
  'xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm"';

export type SimulatorFault = 'jam' | 'door_open';

export type SimulatorOptions = {
  /** page images (PNG/JPEG) in the feeder, in order; the platen always holds the first */
  pages?: Buffer[];
  /** number of sheets in the feeder when `pages` is not given (blank numbered pages) */
  feederSheets?: number;
  /** the feeder jams (or its door opens) when this many pages have been delivered */
  failAfterPages?: number;
  fault?: SimulatorFault;
  /** answer 503 to new jobs, as a scanner busy with another client does */
  busy?: boolean;
  /** first NextDocument of each page answers 503 (the page is still being scanned) */
  slowPages?: boolean;
  makeAndModel?: string;
  host?: string;
  port?: number;
};

type Job = {
  id: string;
  source: 'Platen' | 'Feeder';
  colorMode: string;
  format: 'image/jpeg' | 'image/png';
  xRes: number;
  region: { width: number; height: number } | null;
  delivered: number;
  state: 'Processing' | 'Completed' | 'Aborted' | 'Canceled';
  reason: string;
  created: number;
  pendingReady: boolean;
};

export type RunningSimulator = {
  /** base URL of the eSCL root, e.g. http://127.0.0.1:54321/eSCL */
  url: string;
  port: number;
  /** every request as "METHOD path", for tests that check the protocol exchange */
  requests: string[];
  /** change the simulated device between tests */
  set(options: Partial<SimulatorOptions>): void;
  close(): Promise<void>;
};

const RESOLUTIONS = [75, 100, 150, 200, 300, 600];

function capabilitiesXml(makeAndModel: string): string {
  const inputCaps = `
      <scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>2550</scan:MaxWidth>
      <scan:MinHeight>16</scan:MinHeight><scan:MaxHeight>3508</scan:MaxHeight>
      <scan:MaxScanRegions>1</scan:MaxScanRegions>
      <scan:SettingProfiles><scan:SettingProfile>
        <scan:ColorModes><scan:ColorMode>BlackAndWhite1</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>
        <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat><pwg:DocumentFormat>image/png</pwg:DocumentFormat><scan:DocumentFormatExt>image/jpeg</scan:DocumentFormatExt><scan:DocumentFormatExt>image/png</scan:DocumentFormatExt></scan:DocumentFormats>
        <scan:SupportedResolutions><scan:DiscreteResolutions>${RESOLUTIONS.map(
          (r) =>
            `<scan:DiscreteResolution><scan:XResolution>${r}</scan:XResolution><scan:YResolution>${r}</scan:YResolution></scan:DiscreteResolution>`,
        ).join('')}</scan:DiscreteResolutions></scan:SupportedResolutions>
      </scan:SettingProfile></scan:SettingProfiles>
      <scan:SupportedIntents><scan:Intent>Document</scan:Intent><scan:Intent>TextAndGraphic</scan:Intent><scan:Intent>Photo</scan:Intent></scan:SupportedIntents>
      <scan:MaxOpticalXResolution>600</scan:MaxOpticalXResolution><scan:MaxOpticalYResolution>600</scan:MaxOpticalYResolution>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities ${NS}>
  <pwg:Version>2.63</pwg:Version>
  <pwg:MakeAndModel>${escapeXml(makeAndModel)}</pwg:MakeAndModel>
  <pwg:SerialNumber>SIM-0001</pwg:SerialNumber>
  <scan:UUID>4509a320-00a0-008f-00b6-002507510eca</scan:UUID>
  <scan:Platen><scan:PlatenInputCaps>${inputCaps}</scan:PlatenInputCaps></scan:Platen>
  <scan:Adf><scan:AdfSimplexInputCaps>${inputCaps}</scan:AdfSimplexInputCaps>
    <scan:FeederCapacity>50</scan:FeederCapacity>
    <scan:AdfOptions><scan:AdfOption>DetectPaperLoaded</scan:AdfOption></scan:AdfOptions>
  </scan:Adf>
</scan:ScannerCapabilities>`;
}

async function blankPage(n: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="827" height="1169"><rect width="100%" height="100%" fill="#fff"/><text x="100" y="200" font-family="DejaVu Sans" font-size="48">Trang ${n}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function renderPage(source: Buffer, job: Job): Promise<Buffer> {
  // The scan region is in 1/300 inch; the output is that region at the job's resolution.
  const width = Math.max(16, Math.round(((job.region?.width ?? 2480) * job.xRes) / 300));
  const height = Math.max(16, Math.round(((job.region?.height ?? 3508) * job.xRes) / 300));
  let image = sharp(source).flatten({ background: '#ffffff' }).resize(width, height, { fit: 'fill' });
  if (job.colorMode === 'Grayscale8') image = image.greyscale().toColourspace('b-w');
  if (job.colorMode === 'BlackAndWhite1') image = image.greyscale().threshold(160).toColourspace('b-w');
  // withMetadata attaches an sRGB profile, which would turn a greyscale page back into RGB.
  if (job.colorMode === 'RGB24') image = image.withMetadata({ density: job.xRes });
  return job.format === 'image/png'
    ? image.png({ compressionLevel: 1 }).toBuffer()
    : image.jpeg({ quality: 85 }).toBuffer();
}

export async function startEsclSimulator(initial: SimulatorOptions = {}): Promise<RunningSimulator> {
  let options: SimulatorOptions = { ...initial };
  const jobs = new Map<string, Job>();
  const requests: string[] = [];
  let adfState = 'ScannerAdfLoaded';
  let feederLeft = options.pages?.length ?? options.feederSheets ?? 5;
  let pageCursor = 0;

  const sourcePage = async (index: number): Promise<Buffer> => options.pages?.[index] ?? blankPage(index + 1);
  const activeJob = (): Job | undefined => [...jobs.values()].find((j) => j.state === 'Processing');

  const statusXml = (): string => {
    const now = Date.now();
    const infos = [...jobs.values()]
      .map(
        (
          j,
        ) => `<scan:JobInfo><pwg:JobUri>/eSCL/ScanJobs/${j.id}</pwg:JobUri><pwg:JobUuid>${j.id}</pwg:JobUuid>
      <scan:Age>${Math.round((now - j.created) / 1000)}</scan:Age><pwg:ImagesCompleted>${j.delivered}</pwg:ImagesCompleted>
      <pwg:ImagesToTransfer>${j.state === 'Processing' ? 1 : 0}</pwg:ImagesToTransfer>
      <pwg:JobState>${j.state}</pwg:JobState><pwg:JobStateReasons><pwg:JobStateReason>${j.reason}</pwg:JobStateReason></pwg:JobStateReasons></scan:JobInfo>`,
      )
      .join('');
    const state = activeJob() || options.busy ? 'Processing' : 'Idle';
    return `<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerStatus ${NS}><pwg:Version>2.63</pwg:Version><pwg:State>${state}</pwg:State>
<scan:AdfState>${adfState}</scan:AdfState><scan:Jobs>${infos}</scan:Jobs></scan:ScannerStatus>`;
  };

  const send = (res: ServerResponse, status: number, body: string | Buffer = '', type = 'text/xml'): void => {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-cache',
    });
    res.end(body);
  };

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => {
        body += d;
        if (body.length > 1_000_000) req.destroy();
      });
      req.on('end', () => resolve(body));
      req.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname.replace(/\/+$/u, '');
    requests.push(`${req.method ?? ''} ${p}`);
    if (req.method === 'GET' && p === '/eSCL/ScannerCapabilities')
      return send(res, 200, capabilitiesXml(options.makeAndModel ?? 'BHXH eSCL Simulator'));
    if (req.method === 'GET' && p === '/eSCL/ScannerStatus') return send(res, 200, statusXml());
    if (req.method === 'POST' && p === '/eSCL/ScanJobs') {
      const body = await readBody(req);
      if (options.busy || activeJob()) return send(res, 503, '');
      const source = /Feeder|Adf/iu.test(text(body, 'InputSource') ?? 'Platen') ? 'Feeder' : 'Platen';
      if (source === 'Feeder' && feederLeft <= 0) {
        adfState = 'ScannerAdfEmpty';
        return send(res, 409, '');
      }
      if (source === 'Feeder' && adfState !== 'ScannerAdfLoaded') return send(res, 409, '');
      const xRes = Number(text(body, 'XResolution') ?? 300);
      if (!RESOLUTIONS.includes(xRes)) return send(res, 409, '');
      const format =
        (text(body, 'DocumentFormatExt') ?? text(body, 'DocumentFormat') ?? 'image/jpeg') === 'image/png'
          ? 'image/png'
          : 'image/jpeg';
      const w = Number(text(body, 'Width') ?? 0);
      const h = Number(text(body, 'Height') ?? 0);
      const job: Job = {
        id: randomUUID(),
        source,
        colorMode: text(body, 'ColorMode') ?? 'RGB24',
        format,
        xRes,
        region: w > 0 && h > 0 ? { width: Math.min(w, 2550), height: Math.min(h, 3508) } : null,
        delivered: 0,
        state: 'Processing',
        reason: 'JobScanning',
        created: Date.now(),
        pendingReady: !options.slowPages,
      };
      jobs.set(job.id, job);
      res.writeHead(201, {
        Location: `${url.protocol}//${req.headers.host ?? 'localhost'}/eSCL/ScanJobs/${job.id}`,
        'Content-Length': 0,
      });
      res.end();
      return;
    }
    const m = /^\/eSCL\/ScanJobs\/([0-9a-f-]+)(?:\/(NextDocument|ScanImageInfo))?$/u.exec(p);
    const job = m ? jobs.get(m[1] ?? '') : undefined;
    if (m && !job) return send(res, 404, '');
    if (job && req.method === 'DELETE' && !m?.[2]) {
      if (job.state === 'Processing') {
        job.state = 'Canceled';
        job.reason = 'JobCanceledByUser';
      }
      return send(res, 200, '');
    }
    if (job && req.method === 'GET' && m?.[2] === 'ScanImageInfo') {
      return send(
        res,
        200,
        `<?xml version="1.0" encoding="UTF-8"?><scan:ScanImageInfo ${NS}><pwg:JobUri>/eSCL/ScanJobs/${job.id}</pwg:JobUri><pwg:JobUuid>${job.id}</pwg:JobUuid><scan:ActualWidth>0</scan:ActualWidth><scan:ActualHeight>0</scan:ActualHeight><scan:ActualBytesPerLine>0</scan:ActualBytesPerLine></scan:ScanImageInfo>`,
      );
    }
    if (job && req.method === 'GET' && m?.[2] === 'NextDocument') {
      if (job.state !== 'Processing') return send(res, 404, '');
      if (job.source === 'Platen') {
        if (job.delivered >= 1) {
          job.state = 'Completed';
          job.reason = 'JobCompletedSuccessfully';
          return send(res, 404, '');
        }
      } else {
        if (options.failAfterPages !== undefined && job.delivered >= options.failAfterPages) {
          adfState = options.fault === 'door_open' ? 'ScannerAdfDoorOpen' : 'ScannerAdfJam';
          job.state = 'Aborted';
          job.reason = options.fault === 'door_open' ? 'ResourcesAreNotReady' : 'JobFailed';
          return send(res, 500, '');
        }
        if (feederLeft <= 0) {
          adfState = 'ScannerAdfEmpty';
          job.state = 'Completed';
          job.reason = 'JobCompletedSuccessfully';
          return send(res, 404, '');
        }
      }
      if (!job.pendingReady) {
        job.pendingReady = true;
        return send(res, 503, '');
      }
      const index = job.source === 'Platen' ? 0 : pageCursor;
      const page = await renderPage(await sourcePage(index), job);
      job.delivered += 1;
      job.pendingReady = !options.slowPages;
      if (job.source === 'Feeder') {
        feederLeft -= 1;
        pageCursor += 1;
      }
      return send(res, 200, page, job.format);
    }
    send(res, 404, '');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, '');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/eSCL`,
    port,
    requests,
    set(next) {
      options = { ...options, ...next };
      if (next.pages !== undefined || next.feederSheets !== undefined) {
        feederLeft = next.pages?.length ?? next.feederSheets ?? feederLeft;
        pageCursor = 0;
        adfState = 'ScannerAdfLoaded';
      }
      if (next.fault !== undefined || next.failAfterPages !== undefined) adfState = 'ScannerAdfLoaded';
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
