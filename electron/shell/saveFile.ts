// The system save dialog, then the file the officer chose (Electron only; Xuất nhật ký hỗ trợ).
// Type-checked and bundled here; the Electron binary is absent on the build machines.

import { app, dialog, type BrowserWindow } from 'electron';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function saveWithDialog(
  owner: BrowserWindow | null,
  bytes: Uint8Array,
  suggestedName: string,
  what: { title: string; filter: string; ext: string },
): Promise<string | null> {
  const options = {
    title: what.title,
    defaultPath: path.join(app.getPath('documents'), suggestedName),
    buttonLabel: 'Lưu',
    filters: [{ name: what.filter, extensions: [what.ext] }],
    properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const],
  };
  const answer = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
  if (answer.canceled || !answer.filePath) return null;
  const file = answer.filePath.toLowerCase().endsWith(`.${what.ext}`)
    ? answer.filePath
    : `${answer.filePath}.${what.ext}`;
  await writeFile(file, bytes);
  return file;
}
