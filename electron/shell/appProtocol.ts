// What app://workstation/<path> answers: the built renderer's file, read here with node:fs, behind a
// path check, with the CSP and nosniff headers. It used to fetch `file://…` with net.fetch through the
// default session, whose webRequest filter cancels everything that is not app: or devtools: — whether
// Electron runs a net.fetch of file: through that filter is not settled, so the window might never have
// loaded. Reading the file ourselves depends on nothing of the sort, and this module has no Electron
// import: its logic is tested in Node (tests/unit/electron/shell.test.ts); security.ts hands it
// to protocol.handle.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // antd's CSS-in-JS injects style elements
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

function text(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  });
}

/** The file under `root` that `url` names, or why none may be served. */
export function resolveAppPath(
  root: string,
  host: string,
  url: string,
): { file: string } | { status: 400 | 403; reason: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { status: 400, reason: 'Địa chỉ không hợp lệ.' };
  }
  if (u.host !== host) return { status: 403, reason: 'Không được phép.' };
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname === '/' ? '/index.html' : u.pathname);
  } catch {
    return { status: 400, reason: 'Địa chỉ không hợp lệ.' };
  }
  if (rel.includes('\0')) return { status: 400, reason: 'Địa chỉ không hợp lệ.' };
  const base = path.resolve(root);
  const file = path.resolve(base, `.${rel}`);
  if (!file.startsWith(base + path.sep)) return { status: 403, reason: 'Đường dẫn không hợp lệ.' };
  return { file };
}

/** The handler of the app:// scheme for `host`, serving files of `rendererDir`. */
export function createAppHandler(rendererDir: string, host: string): (request: Request) => Promise<Response> {
  const root = path.resolve(rendererDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Chỉ đọc.');
    const where = resolveAppPath(root, host, request.url);
    if ('status' in where) return text(where.status, where.reason);
    try {
      const info = await stat(where.file);
      if (!info.isFile()) return text(404, 'Không tìm thấy.');
      const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(where.file));
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': MIME[path.extname(where.file).toLowerCase()] ?? 'application/octet-stream',
          'content-length': String(info.size),
          'content-security-policy': CSP,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-cache',
        },
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR'
        ? text(404, 'Không tìm thấy.')
        : text(500, 'Không đọc được tệp.');
    }
  };
}
