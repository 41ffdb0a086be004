// Electron security in one small file (STYLE.md §4, Electron's security checklist): every web contents
// may not navigate, redirect, open windows or attach webviews; permission requests are denied but the
// camera (video only) for the app's own page (mediaPermission.ts); the renderer is served from the
// app:// protocol with a strict CSP and a path-traversal check (appProtocol.ts, read from disk by
// node:fs, never through the session's network filter); IPC senders are checked against that origin.

import { app, protocol, session, shell, type WebContents } from 'electron';
import type { MediaAccessPermissionRequest } from 'electron';
import { createAppHandler } from './appProtocol.js';
import { allowPermission } from './mediaPermission.js';

export { CSP } from './appProtocol.js';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://workstation`;

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serve dist/renderer under app://workstation/ with the CSP; nothing outside that folder. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, createAppHandler(rendererDir, 'workstation'));
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
