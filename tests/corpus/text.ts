// Text layout for the generated corpus: fonts as the printers have them (Debian's fonts-liberation and
// fonts-dejavu), widths measured with fontkit so lines wrap where a browser or a word processor would
// wrap them, and the SVG that sharp (librsvg + fontconfig) renders with the same fonts.

import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';

export type FontFamily =
  'Liberation Serif' | 'DejaVu Serif' | 'DejaVu Sans' | 'Liberation Sans' | 'DejaVu Sans Mono';
export type FontStyle = 'regular' | 'bold' | 'italic';

const FILES: Readonly<Record<FontFamily, Readonly<Record<FontStyle, string>>>> = {
  'Liberation Serif': {
    regular: '/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf',
    bold: '/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf',
    italic: '/usr/share/fonts/truetype/liberation/LiberationSerif-Italic.ttf',
  },
  'Liberation Sans': {
    regular: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
    bold: '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
    italic: '/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf',
  },
  'DejaVu Serif': {
    regular: '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf',
    bold: '/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf',
    italic: '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf',
  },
  'DejaVu Sans': {
    regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
    italic: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  },
  'DejaVu Sans Mono': {
    regular: '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
    bold: '/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf',
    italic: '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
  },
};

const cache = new Map<string, fontkit.Font>();

function font(family: FontFamily, style: FontStyle): fontkit.Font {
  const file = FILES[family][style];
  let f = cache.get(file);
  if (!f) {
    f = fontkit.create(readFileSync(file)) as fontkit.Font;
    cache.set(file, f);
  }
  return f;
}

/** Whether the fonts this corpus needs are installed (fonts-liberation, fonts-dejavu-core). */
export function missingFonts(): string[] {
  const out: string[] = [];
  for (const styles of Object.values(FILES))
    for (const file of Object.values(styles)) {
      try {
        readFileSync(file, { flag: 'r' }).subarray(0, 4);
      } catch {
        out.push(file);
      }
    }
  return [...new Set(out)];
}

/**
 * Advance width of `text` in pixels at `sizePx`. Letters the font lacks precomposed (Liberation has no
 * "ơ", "ổ", …: the renderer composes them from a base letter and a zero-width mark) are measured by
 * their base letter.
 */
export function textWidth(text: string, family: FontFamily, style: FontStyle, sizePx: number): number {
  const f = font(family, style);
  let units = 0;
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0) as number;
    const glyphOf = (c: number): number => f.glyphForCodePoint(c).advanceWidth;
    if (f.hasGlyphForCodePoint(cp)) units += glyphOf(cp);
    else {
      const base = ch.normalize('NFD').codePointAt(0) as number;
      units += f.hasGlyphForCodePoint(base) ? glyphOf(base) : f.unitsPerEm / 2;
    }
  }
  return (units / f.unitsPerEm) * sizePx;
}

/** Greedy word wrap: the first line may be shorter (it follows a label), later lines use `width`. */
export function wrap(
  text: string,
  family: FontFamily,
  style: FontStyle,
  sizePx: number,
  firstWidth: number,
  width: number,
): string[] {
  const words = text.split(/\s+/u).filter(Boolean);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    const limit = lines.length === 0 ? firstWidth : width;
    if (current && textWidth(candidate, family, style, sizePx) > limit) {
      lines.push(current);
      current = word;
    } else current = candidate;
  }
  if (current || lines.length === 0) lines.push(current);
  return lines;
}

export type Run = {
  x: number;
  /** baseline */
  y: number;
  text: string;
  size: number;
  style?: FontStyle;
  anchor?: 'start' | 'middle' | 'end';
  fill?: string;
  underline?: boolean;
  family?: FontFamily;
  /** text set right after `text` in another style (a label's value), placed by the renderer */
  tail?: { text: string; style: FontStyle };
};

export type Shape =
  | {
      kind: 'rect';
      x: number;
      y: number;
      w: number;
      h: number;
      fill: string;
      stroke?: string;
      strokeWidth?: number;
    }
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: string; stroke?: string; strokeWidth?: number }
  | { kind: 'path'; d: string; stroke: string; strokeWidth: number; fill?: string; opacity?: number };

const esc = (s: string): string => s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');

export function svgDocument(
  width: number,
  height: number,
  family: FontFamily,
  runs: Run[],
  shapes: Shape[] = [],
  background = '#ffffff',
): Buffer {
  const shapeSvg = shapes
    .map((s) => {
      switch (s.kind) {
        case 'rect':
          return `<rect x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" fill="${s.fill}"${s.stroke ? ` stroke="${s.stroke}" stroke-width="${s.strokeWidth ?? 1}"` : ''}/>`;
        case 'circle':
          return `<circle cx="${s.cx}" cy="${s.cy}" r="${s.r}" fill="${s.fill}"${s.stroke ? ` stroke="${s.stroke}" stroke-width="${s.strokeWidth ?? 1}"` : ''}/>`;
        case 'path':
          return `<path d="${s.d}" stroke="${s.stroke}" stroke-width="${s.strokeWidth}" fill="${s.fill ?? 'none'}"${s.opacity !== undefined ? ` opacity="${s.opacity}"` : ''}/>`;
        default: {
          const never: never = s;
          return never;
        }
      }
    })
    .join('');
  const textSvg = runs
    .map((r) => {
      const attrs = [
        `x="${r.x.toFixed(1)}"`,
        `y="${r.y.toFixed(1)}"`,
        `font-size="${r.size.toFixed(2)}"`,
        r.anchor && r.anchor !== 'start' ? `text-anchor="${r.anchor}"` : '',
        r.style === 'bold' ? 'font-weight="bold"' : '',
        r.style === 'italic' ? 'font-style="italic"' : '',
        r.fill ? `fill="${r.fill}"` : '',
        r.underline ? 'text-decoration="underline"' : '',
        r.family ? `font-family="${r.family}"` : '',
      ]
        .filter(Boolean)
        .join(' ');
      const tail = r.tail
        ? `<tspan${r.tail.style === 'bold' ? ' font-weight="bold"' : r.tail.style === 'italic' ? ' font-style="italic"' : ''}>${esc(r.tail.text.normalize('NFC'))}</tspan>`
        : '';
      return `<text ${attrs} xml:space="preserve">${esc(r.text.normalize('NFC'))}${tail}</text>`;
    })
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${background}"/>${shapeSvg}<g font-family="${family}" fill="#000">${textSvg}</g></svg>`,
  );
}
