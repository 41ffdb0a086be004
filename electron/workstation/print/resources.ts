// Where the printing module finds its fonts and form templates, and the font bytes themselves.
// Plain Node (no Electron): the paths default to the checkout's resources/ folder and can be pointed
// elsewhere (a packaged app keeps resources/ beside app.asar) with configurePrintResources().

import { readFileSync } from 'node:fs';
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

function checkoutResources(): string {
  // electron/workstation/print/ → repo root → resources/
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'resources');
}

let fontDir = process.env.BHXH_PRINT_FONT_DIR ?? path.join(checkoutResources(), 'fonts');
let formDir = process.env.BHXH_PRINT_FORM_DIR ?? path.join(checkoutResources(), 'forms');
let fontCache: Map<FontName, fontkit.Font> | null = null;

/** Point the printer at another resources folder (a packaged app's process.resourcesPath). */
export function configurePrintResources(options: { fontDir?: string; formDir?: string }): void {
  if (options.fontDir) {
    fontDir = options.fontDir;
    fontCache = null;
  }
  if (options.formDir) formDir = options.formDir;
}

export function formDirectory(): string {
  return formDir;
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
      const font = fontkit.create(readFileSync(path.join(fontDir, FONT_FILES[name])));
      // A .ttc collection would give a FontCollection; we ship single TTFs.
      if (!('layout' in font)) throw new Error(`${FONT_FILES[name]} is not a single font`);
      warmGlyphs(font);
      cache.set(name, font);
    }
    fontCache = cache;
  }
  return fontCache;
}
