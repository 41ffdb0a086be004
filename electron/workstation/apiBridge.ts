// The typed workstation API over the local HTTP host (development, browser tests, the browser fallback
// of `npm start`): `POST /api/call/<method>` with the JSON input answers the `{ok, value | error}`
// result; `GET /api/events` streams events as server-sent events. The host has already checked the
// per-run secret, Host and Origin before any of this runs.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_ATTACH_BYTES } from '../../contract/workstationIntake.js';
import type { ApiHandler } from './httpHost.js';
import type { Workstation } from './workstation.js';

const MAX_BODY = 64 * 1024;
/**
 * "Đính kèm" carries the file as base64 (4/3 of its size) in the JSON: only those methods (a dossier's
 * and a mobile desk's declaration's) get more room.
 */
const ATTACH_BODY = Math.ceil((MAX_ATTACH_BYTES * 4) / 3) + 64 * 1024;
const MAX_BODY_OF: Readonly<Record<string, number>> = {
  'intake.attach': ATTACH_BODY,
  'desk.attach': ATTACH_BODY,
};
const JSON_TYPE = 'application/json; charset=utf-8';

class TooLarge extends Error {}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new TooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : {};
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(JSON.stringify(body));
}

export function createApiBridge(ws: Workstation): ApiHandler & { closeStreams(): void } {
  const streams = new Set<ServerResponse>();
  const handler = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': ok\n\n');
      streams.add(res);
      const off = ws.on((e) => res.write(`data: ${JSON.stringify(e)}\n\n`));
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      ping.unref();
      req.on('close', () => {
        off();
        clearInterval(ping);
        streams.delete(res);
      });
      return true;
    }
    // A print job's PDF, same origin, for the renderer's hidden print frame and its downloads
    // (contract/workstationPrint.ts); only the signed-in officer's own jobs, from memory.
    const printed = /^\/api\/print\/([0-9a-f-]{36})\.pdf$/u.exec(pathname);
    if (printed?.[1] && req.method === 'GET') {
      const r = await ws.dispatch('print.data', { jobId: printed[1] });
      if (!r.ok) {
        sendJson(res, 404, r);
        return true;
      }
      const { fileName, dataUrl } = r.value as { fileName: string; dataUrl: string };
      const body = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
      res.writeHead(200, {
        'content-type': 'application/pdf',
        'content-length': body.length,
        'content-disposition': `inline; filename="${fileName}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(body);
      return true;
    }
    const m = /^\/api\/call\/([a-zA-Z]+\.[a-zA-Z]+)$/u.exec(pathname);
    if (!m || !m[1]) return false;
    if (req.method !== 'POST') {
      sendJson(res, 405, { ok: false, error: { code: 'method_not_allowed', message: 'Chỉ nhận POST.' } });
      return true;
    }
    // A JSON content type forces a CORS preflight on any cross-site caller, which the Origin check refuses.
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      sendJson(res, 415, { ok: false, error: { code: 'unsupported_media_type', message: 'Cần JSON.' } });
      return true;
    }
    let input: unknown;
    try {
      input = await readJson(req, MAX_BODY_OF[m[1]] ?? MAX_BODY);
    } catch (err) {
      if (err instanceof TooLarge) {
        // Answer without reading the rest, and close the connection rather than drain megabytes.
        res.setHeader('connection', 'close');
        sendJson(res, 413, {
          ok: false,
          error:
            MAX_BODY_OF[m[1]] !== undefined
              ? {
                  code: 'payload_too_large',
                  message: `Tệp quá lớn: chỉ nhận tệp tối đa ${MAX_ATTACH_BYTES / 1024 / 1024} MB.`,
                }
              : { code: 'payload_too_large', message: 'Dữ liệu gửi lên quá lớn.' },
        });
        return true;
      }
      sendJson(res, 400, {
        ok: false,
        error: { code: 'bad_request', message: 'Dữ liệu gửi lên không hợp lệ.' },
      });
      return true;
    }
    sendJson(res, 200, await ws.dispatch(m[1], input));
    return true;
  };
  return Object.assign(handler, {
    closeStreams() {
      for (const s of streams) s.end();
      streams.clear();
    },
  });
}
