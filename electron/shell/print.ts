// The Electron side of printing, kept thin: the workstation services render the PDF
// and hand its bytes here (electron/workstation/handlers/print.ts, PrintOptions).
//   Print: a hidden window on its own in-memory session loads the PDF from memory through that
//          session's app:// handler (never a temporary file: the forms carry personal data) into
//          Chromium's PDF viewer (webPreferences.plugins) and calls webContents.print(), which shows
//          the system print dialog (PDFs print since Electron 32).
//   Save:  the system save dialog, then the file the officer chose.
// Type-checked and bundled here; the Electron binary is absent on the build machines, so it has not run.

import { app, BrowserWindow, dialog, session, type Session } from 'electron';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PrintOptions } from '../workstation/handlers/print.js';
import { APP_SCHEME } from './security.js';

/** No "persist:" prefix: the session lives in memory only. */
const PARTITION = 'print-jobs';
const HOST = 'print';

export function createShellPrint(
  parent: () => BrowserWindow | null,
  /** Cài đặt's default printer ("" = the system's): the print dialog starts on it. */
  defaultPrinter: () => string = () => '',
): Required<Pick<PrintOptions, 'printPdf' | 'savePdf'>> {
  const pending = new Map<string, Buffer>();
  let printSession: Session | null = null;

  function sessionForPrinting(): Session {
    if (printSession) return printSession;
    const ses = session.fromPartition(PARTITION);
    ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    ses.protocol.handle(APP_SCHEME, (request) => {
      const url = new URL(request.url);
      const id = /^\/([0-9a-f-]{36})\.pdf$/u.exec(url.pathname)?.[1];
      const pdf = url.host === HOST && id ? pending.get(id) : undefined;
      if (!pdf) return new Response('Không tìm thấy.', { status: 404 });
      return new Response(new Uint8Array(pdf), {
        headers: { 'content-type': 'application/pdf', 'cache-control': 'no-store' },
      });
    });
    printSession = ses;
    return ses;
  }

  return {
    async printPdf(pdf, title) {
      const id = randomUUID();
      pending.set(id, pdf);
      const owner = parent();
      const win = new BrowserWindow({
        show: false,
        title,
        ...(owner ? { parent: owner } : {}),
        webPreferences: {
          session: sessionForPrinting(),
          plugins: true, // Chromium's PDF viewer
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          webSecurity: true,
        },
      });
      try {
        await win.loadURL(`${APP_SCHEME}://${HOST}/${id}.pdf`);
        return await new Promise<boolean>((resolve, reject) => {
          const deviceName = defaultPrinter();
          const options = { silent: false, printBackground: true, ...(deviceName ? { deviceName } : {}) };
          win.webContents.print(options, (success, failureReason) => {
            if (success) resolve(true);
            else if (/cancel/iu.test(failureReason)) resolve(false);
            else reject(new Error(failureReason));
          });
        });
      } finally {
        pending.delete(id);
        if (!win.isDestroyed()) win.destroy();
      }
    },

    async savePdf(pdf, suggestedName) {
      const options = {
        title: 'Lưu tệp PDF',
        defaultPath: path.join(app.getPath('documents'), suggestedName),
        buttonLabel: 'Lưu',
        filters: [{ name: 'Tệp PDF', extensions: ['pdf'] }],
        properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const],
      };
      const owner = parent();
      const answer = owner
        ? await dialog.showSaveDialog(owner, options)
        : await dialog.showSaveDialog(options);
      if (answer.canceled || !answer.filePath) return null;
      const file = /\.pdf$/iu.test(answer.filePath) ? answer.filePath : `${answer.filePath}.pdf`;
      await writeFile(file, pdf);
      return file;
    },
  };
}
