// Electron security in one small file (STYLE.md §4, Electron's security checklist): every web contents
// may not navigate, redirect, open windows or attach webviews; permission requests are denied but the
// camera (video only) for the app's own page (mediaPermission.ts); the renderer is served from the
// app:// protocol with a strict CSP and a path-traversal check; IPC senders are checked against that
// origin.

import { app, net, protocol, session, shell, type WebContents } from 'electron';
import type { MediaAccessPermissionRequest } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { allowPermission } from './mediaPermission.js';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://workstation`;

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

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serve dist/renderer under app://workstation/ with the CSP; nothing outside that folder. */
export function serveRenderer(rendererDir: string): void {
  const root = path.resolve(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'workstation') return new Response('Không được phép.', { status: 403 });
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(root, `.${rel}`);
    if (!file.startsWith(root + path.sep)) return new Response('Đường dẫn không hợp lệ.', { status: 403 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('content-security-policy', CSP);
    headers.set('x-content-type-options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}

export function isAppSender(frameUrl: string | undefined): boolean {
  return typeof frameUrl === 'string' && frameUrl.startsWith(`${APP_ORIGIN}/`);
}

function harden(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Real links (https) go to the system browser; nothing opens inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function applySecurity(): void {
  app.on('web-contents-created', (_event, contents) => harden(contents));
  // The camera for Chụp ảnh (video only, the app's main frame); every other permission, and every
  // USB/HID/serial device, is denied.
  const own = { scheme: APP_SCHEME, host: new URL(APP_ORIGIN).host };
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const media = permission === 'media' ? (details as MediaAccessPermissionRequest) : null;
    callback(
      allowPermission(
        {
          permission,
          origins: [details.requestingUrl, media?.securityOrigin],
          mediaTypes: media?.mediaTypes ?? [],
          isMainFrame: details.isMainFrame,
        },
        own,
      ),
    );
  });
  session.defaultSession.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
    allowPermission(
      {
        permission,
        origins: [requestingOrigin, details.securityOrigin, details.requestingUrl],
        mediaTypes: details.mediaType ? [details.mediaType] : [],
        isMainFrame: details.isMainFrame,
      },
      own,
    ),
  );
  session.defaultSession.setDevicePermissionHandler(() => false);
  // No remote content: only app:// and the devtools are ever loaded.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const ok = details.url.startsWith(`${APP_SCHEME}:`) || details.url.startsWith('devtools:');
    callback({ cancel: !ok });
  });
}
