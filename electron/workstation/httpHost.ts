// The workstation's local HTTP host: serves the built renderer and (through `api`) the typed
// workstation API, for development, browser end-to-end tests and the browser fallback of `npm start`.
// DESIGN.md §6: listens on 127.0.0.1 only, demands a per-run secret (carried in the printed URL, then
// an HttpOnly cookie), and checks Host and Origin so no other web page or local user can drive it.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';

export type ApiHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;

export type HttpHostOptions = {
  staticDir: string;
  port?: number;
  /** Fixed secret (tests); random per run otherwise. */
  secret?: string;
  /** Handles /api/… requests once the secret is proven; returns false when it did not handle it. */
  api?: ApiHandler;
};

export type HttpHost = {
  server: Server;
  port: number;
  secret: string;
  /** Full URL with the secret, to open in a browser. */
  url: string;
  close(): Promise<void>;
};

const COOKIE = 'ws_secret';
const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
};

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decoded(v.join('='));
  }
  return null;
}

/** A percent-encoded text decoded, or null when its encoding is broken (never a thrown URIError). */
function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const secret = options.secret ?? randomBytes(24).toString('base64url');
  const root = path.resolve(options.staticDir);
  let port = options.port ?? 0;

  const server = createServer((req, res) => {
    void (async () => {
      const host = req.headers.host ?? '';
      const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
      if (!allowedHosts.includes(host)) return send(res, 403, 'Host không được phép.');
      const origin = req.headers.origin;
      if (origin && !allowedHosts.some((h) => origin === `http://${h}`)) {
        return send(res, 403, 'Nguồn gọi không được phép.');
      }
      const url = new URL(req.url ?? '/', `http://${host}`);
      const key = url.searchParams.get('k');
      if (key !== null) {
        if (!safeEqual(key, secret)) return send(res, 403, 'Khóa phiên không đúng.');
        res.writeHead(302, {
          location: url.pathname,
          'set-cookie': `${COOKIE}=${encodeURIComponent(secret)}; HttpOnly; SameSite=Strict; Path=/`,
          'cache-control': 'no-store',
        });
        return res.end();
      }
      const cookie = cookieValue(req, COOKIE);
      if (cookie === null || !safeEqual(cookie, secret)) {
        return send(res, 403, 'Mở ứng dụng bằng địa chỉ đầy đủ (có khóa phiên) được in khi khởi động.');
      }
      if (url.pathname.startsWith('/api/')) {
        if (options.api && (await options.api(req, res, url.pathname))) return;
        return send(
          res,
          404,
          JSON.stringify({ error: { code: 'not_found', message: 'Không tìm thấy.' } }),
          MIME['.json'],
        );
      }
      const rel = decoded(url.pathname === '/' ? '/index.html' : url.pathname);
      if (rel === null) return send(res, 400, 'Đường dẫn không hợp lệ.');
      const file = path.resolve(root, `.${rel}`);
      if (!file.startsWith(root + path.sep)) return send(res, 403, 'Đường dẫn không hợp lệ.');
      const target = existsSync(file) && statSync(file).isFile() ? file : path.join(root, 'index.html');
      if (!existsSync(target)) return send(res, 500, 'Chưa dựng giao diện: chạy npm run build:renderer.');
      res.writeHead(200, {
        'content-type': MIME[path.extname(target)] ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      createReadStream(target).pipe(res);
    })().catch(() => {
      if (!res.headersSent) send(res, 500, 'Lỗi máy chủ cục bộ.');
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : port;
  return {
    server,
    port,
    secret,
    url: `http://127.0.0.1:${port}/?k=${secret}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
