// Where the printing module finds its fonts and form templates, and the font bytes themselves.
// Plain Node (no Electron): the paths default to the checkout's resources/ folder and can be pointed
// elsewhere (a packaged app keeps resources/ beside app.asar) with configurePrintResources().

import { existsSync, readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type FontName =
  'serif' | 'serifBold' | 'serifItalic' | 'sans' | 'sansBold' | 'condensed' | 'condensedBold';

const FONT_FILES: Readonly<Record<FontName, string>> = {
  serif: 'DejaVuSerif.ttf',
  serifBold: 'DejaVuSerif-Bold.ttf',
  serifItalic: 'DejaVuSerif-Italic.ttf',
  sans: 'DejaVuSans.ttf',
  sansBold: 'DejaVuSans-Bold.ttf',
  condensed: 'DejaVuSansCondensed.ttf',
  condensedBold: 'DejaVuSansCondensed-Bold.ttf',
};

export const FONT_NAMES = Object.keys(FONT_FILES) as FontName[];

/**
 * The resources folder: beside this module in the checkout (electron/workstation/print → ../../../
 * resources). In a CommonJS bundle (esbuild turns import.meta into {}) that is unknown, so a packaged
 * app's resources folder (process.resourcesPath, Electron) or the working directory's is used;
 * configurePrintResources() or BHXH_PRINT_FONT_DIR / BHXH_PRINT_FORM_DIR override all of these.
 */
function defaultResources(): string {
  const url = (import.meta as { url?: string }).url;
  if (typeof url === 'string' && url.startsWith('file:')) {
    return path.resolve(path.dirname(fileURLToPath(url)), '..', '..', '..', 'resources');
  }
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  if (packaged && existsSync(path.join(packaged, 'fonts'))) return packaged;
  return path.resolve('resources');
}

let fontDir: string | null = process.env.BHXH_PRINT_FONT_DIR ?? null;
let formDir: string | null = process.env.BHXH_PRINT_FORM_DIR ?? null;
let fontCache: Map<FontName, fontkit.Font> | null = null;
let generation = 0;

/** Changes whenever the fonts are reloaded from elsewhere: caches built on them must be dropped. */
export function fontGeneration(): number {
  return generation;
}

/** Point the printer at another resources folder (a packaged app's process.resourcesPath). */
export function configurePrintResources(options: { fontDir?: string; formDir?: string }): void {
  if (options.fontDir) {
    fontDir = options.fontDir;
    fontCache = null;
    generation++;
  }
  if (options.formDir) formDir = options.formDir;
}

export function formDirectory(): string {
  return formDir ?? path.join(defaultResources(), 'forms');
}

function fontDirectory(): string {
  return fontDir ?? path.join(defaultResources(), 'fonts');
}

/**
 * The parsed fonts, read and parsed once per process and shared by every document (pdfkit takes a
 * fontkit font as well as bytes; each document still embeds only the subset of glyphs it used).
 * Parsing 2 MB of TTF per document cost ~50 ms a form; shared, a form takes ~10 ms.
 */
/**
 * fontkit caches one glyph object per glyph id with the code points it was first met with. Subsetting
 * meets the components of composed letters (the E inside Ệ, the U inside Ự) without code points, and
 * once a font is shared between documents a later document would lay out "E" with that cached,
 * code-point-less glyph: its ToUnicode entry goes missing and pdftotext loses the letter. Creating
 * every mapped glyph from its code point first keeps the text extractable.
 */
function warmGlyphs(font: fontkit.Font): void {
  for (const codePoint of font.characterSet) font.glyphForCodePoint(codePoint);
}

export function loadedFonts(): ReadonlyMap<FontName, fontkit.Font> {
  if (!fontCache) {
    const cache = new Map<FontName, fontkit.Font>();
    for (const name of FONT_NAMES) {
      const file = path.join(fontDirectory(), FONT_FILES[name]);
      if (!existsSync(file)) {
        throw new Error(
          `Không tìm thấy phông chữ ${file}: đặt BHXH_PRINT_FONT_DIR hoặc gọi configurePrintResources({fontDir}).`,
        );
      }
      const font = fontkit.create(readFileSync(file));
      // A .ttc collection would give a FontCollection; we ship single TTFs.
      if (!('layout' in font)) throw new Error(`${FONT_FILES[name]} is not a single font`);
      warmGlyphs(font);
      cache.set(name, font);
    }
    fontCache = cache;
  }
  return fontCache;
}
