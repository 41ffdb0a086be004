// Where the installed app finds what electron-builder copies beside it (extraResources in
// electron-builder.yml, under process.resourcesPath): the Vietnamese OCR data, the fonts and the Mẫu 01
// editions. No Electron import; tests/unit/packaging.test.ts checks these against electron-builder.yml.

import path from 'node:path';

/** Each resource's folder under process.resourcesPath, as electron-builder.yml's `to` names it. */
export const PACKAGED_RESOURCES = { tessdata: 'tessdata', fonts: 'fonts', forms: 'forms' } as const;

/** Points the parts that read resources at the installed app's copies (run before anything starts). */
export function usePackagedResources(resourcesPath: string, env: NodeJS.ProcessEnv = process.env): void {
  // The OCR pool reads resourcesPath/tessdata when packaged; said here explicitly for the decoder's
  // worker thread too (it inherits the environment; Electron sets process.resourcesPath only on the main
  // thread). The printing module finds fonts and forms under resourcesPath itself.
  env.SCANNER_LANG_PATH ??= path.join(resourcesPath, ...PACKAGED_RESOURCES.tessdata.split('/'));
}
