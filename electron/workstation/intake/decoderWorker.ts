// The worker side of the decoder (decoder.ts): untrusted files (what an officer attaches or a scanner
// returns) are decoded, converted for the service, and recognised (QR, OCR, the quality gate) here, in a
// worker thread with its own heap limit, never in the main process. One message in, one answer out,
// each with the job's id; several jobs may run at once (OCR waits in tesseract's own threads). Failures
// go back as values: a WsFailure's {code, message}, a scanner error's info, or 'internal'.

import { parentPort, workerData } from 'node:worker_threads';
import type { QualityReport } from '../../../contract/scan.js';
import { assessQuality, LazyOcr, recognizeDocument, toScanErrorInfo } from '../../../scanner/index.js';
import { WsFailure } from '../errors.js';
import { preparePages } from './images.js';
import type { DecoderJob, DecoderReply, WirePage } from './decoderProtocol.js';

const port = parentPort;
if (!port) throw new Error('decoderWorker runs as a worker thread only');
const init = (workerData ?? {}) as { ocrWorkers?: number };
const ocr = new LazyOcr(init.ocrWorkers ? { size: init.ocrWorkers } : {});

async function run(job: DecoderJob): Promise<DecoderReply> {
  switch (job.kind) {
    case 'prepare': {
      const { pages, totalPages } = await preparePages(Buffer.from(job.bytes), {
        maxPages: job.maxPages,
        ...(job.fileName ? { fileName: job.fileName } : {}),
        ...(job.compact ? { compact: job.compact } : {}),
      });
      const wire: WirePage[] = pages.map((p) => ({
        content: p.content,
        mediaType: p.mediaType,
        sha256: p.sha256,
        width: p.width,
        height: p.height,
        dpi: p.dpi,
        pageBytes: p.page.bytes,
        index: p.page.index,
      }));
      return { id: job.id, ok: true, kind: 'prepare', pages: wire, totalPages };
    }
    case 'recognize': {
      try {
        const r = await recognizeDocument(Buffer.from(job.bytes), { ocr });
        const { page: _page, quality, ...recognition } = r.recognition;
        return { id: job.id, ok: true, kind: 'recognize', recognition, quality: quality ?? null };
      } catch (error) {
        let quality: QualityReport | null = null;
        try {
          quality = await assessQuality(Buffer.from(job.bytes), { dpi: job.dpi });
        } catch {
          quality = null; // the page could not even be measured: the error below says why
        }
        return { id: job.id, ok: true, kind: 'recognize', error: toScanErrorInfo(error).message, quality };
      }
    }
    case 'close':
      await ocr.close();
      return { id: job.id, ok: true, kind: 'close' };
    default: {
      const never: never = job;
      return never;
    }
  }
}

port.on('message', (job: DecoderJob) => {
  void run(job)
    .catch((err: unknown): DecoderReply => {
      if (err instanceof WsFailure) return { id: job.id, ok: false, error: err.error };
      return {
        id: job.id,
        ok: false,
        error: { code: 'internal', message: 'Không đọc được tệp này.' },
        detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      };
    })
    .then((reply) => port.postMessage(reply));
});
