// Vietnamese text helpers shared by every part: NFC storage, search folding (đ = d),
// tone-placement normalisation and the name-matching tiers of DOMAIN.md.

/** Normalise to NFC, trim and collapse inner whitespace. Every stored string goes through this. */
export function cleanText(value: string): string {
  return value.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * Fold for diacritic-insensitive search: NFD, drop combining marks, map đ/Đ to d, lower case,
 * collapse whitespace. "Nguyễn Thị Các" and "nguyen thi cac" fold to the same string.
 */
export function foldVietnamese(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '')
    .replace(/[đĐ]/gu, 'd')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}

// Old-style tone placement (hoà, thuỷ) → new style (hòa, thủy). Both are in use; names are
// compared after mapping to one of them. Keys and values are NFC.
const TONE_PLACEMENT: ReadonlyArray<readonly [RegExp, string]> = (() => {
  const pairs: Array<[string, string]> = [];
  const tones = ['\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];
  for (const tone of tones) {
    for (const [first, second] of [
      ['o', 'a'],
      ['o', 'e'],
      ['u', 'y'],
    ] as const) {
      for (const upper of [false, true]) {
        const f = upper ? first.toUpperCase() : first;
        // "oà" (tone on the second vowel) → "òa" (tone on the first), only at the end of a word.
        const oldStyle = (f + (second + tone)).normalize('NFC');
        const newStyle = ((f + tone).normalize('NFC') + second).normalize('NFC');
        pairs.push([oldStyle, newStyle]);
      }
    }
  }
  return pairs.map(([from, to]) => [new RegExp(`${from}(?=$|[^\\p{L}])`, 'gu'), to] as const);
})();

/** Map old-style tone placement to the new style, so "Thuỷ" equals "Thủy". */
export function normalizeTonePlacement(value: string): string {
  let out = value.normalize('NFC');
  for (const [pattern, replacement] of TONE_PLACEMENT) out = out.replace(pattern, replacement);
  return out;
}

/** Comparison key for exact name matching: NFC, tone placement, whitespace and case folded. */
export function nameKey(value: string): string {
  return normalizeTonePlacement(cleanText(value)).toLocaleLowerCase('vi');
}

export type NameMatch =
  /** equal after NFC, whitespace and case folding */
  | 'match'
  /** equal only after removing diacritics: the officer must check ("cần xác minh") */
  | 'diacritics_differ'
  /** same words in another order, or a middle name missing */
  | 'word_order_or_missing'
  | 'mismatch';

/** The tiers of DOMAIN.md: exact, then diacritic-folded, then word order / missing middle name. */
export function compareNames(a: string, b: string): NameMatch {
  if (nameKey(a) === nameKey(b)) return 'match';
  const fa = foldVietnamese(a);
  const fb = foldVietnamese(b);
  if (fa === fb) return 'diacritics_differ';
  const wa = fa.split(' ').filter(Boolean);
  const wb = fb.split(' ').filter(Boolean);
  if (wa.length === 0 || wb.length === 0) return 'mismatch';
  const sameBag = wa.length === wb.length && [...wa].sort().join(' ') === [...wb].sort().join(' ');
  if (sameBag) return 'word_order_or_missing';
  const [shorter, longer] = wa.length < wb.length ? [wa, wb] : [wb, wa];
  // A missing middle name: family and given name agree and the shorter name's words all occur.
  if (
    shorter.length >= 2 &&
    shorter[0] === longer[0] &&
    shorter[shorter.length - 1] === longer[longer.length - 1] &&
    shorter.every((w) => longer.includes(w))
  ) {
    return 'word_order_or_missing';
  }
  return 'mismatch';
}

/** Remove diacritics but keep case (for SMS text, which must be GSM-7 to fit 160 characters). */
export function stripDiacritics(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '')
    .replace(/đ/gu, 'd')
    .replace(/Đ/gu, 'D')
    .normalize('NFC');
}

/** Vietnamese collation: given name (last word) first, then family name, then middle names. */
const collator = new Intl.Collator('vi', { sensitivity: 'base' });
export function compareVietnameseNames(a: string, b: string): number {
  const key = (name: string): string[] => {
    const words = cleanText(name).split(' ');
    const given = words.pop() ?? '';
    const family = words.shift() ?? '';
    return [given, family, ...words];
  };
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const c = collator.compare(ka[i] ?? '', kb[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}

// The Vietnamese alphabet's letters in order (ă, â after a; đ after d; ê after e; ô, ơ after o; ư after u),
// with f, j, w, z where the Latin alphabet has them. Digits sort before letters.
const VI_LETTERS = 'a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z'.split(' ');
const VI_RANK = new Map(VI_LETTERS.map((l, i) => [l, i]));
/** Marks that make another letter (breve, circumflex, horn); the tone marks are dropped. */
const LETTER_MARKS = /[\u0306\u0302\u031b]/u;

function sortWord(word: string): string {
  let out = '';
  for (const ch of word.toLowerCase().normalize('NFC')) {
    // Keep the letter-making marks, drop the tones: "ấ" → "â", "ự" → "ư".
    const parts = ch.normalize('NFD');
    const base = parts[0] ?? '';
    const letter = [...parts.slice(1)].filter((m) => LETTER_MARKS.test(m)).join('');
    const key = (base + letter).normalize('NFC');
    const rank = VI_RANK.get(key);
    if (rank !== undefined) out += String.fromCharCode(0x41 + rank);
    else if (/[0-9]/u.test(key)) out += String.fromCharCode(0x30 + Number(key));
    else out += String.fromCharCode(0x21); // anything else: before every letter and digit
  }
  return out;
}

/**
 * A text whose plain (binary) order is `compareVietnameseNames`' order: given name first, then family
 * name, then middle names, each in the Vietnamese alphabet, tones ignored. For a store's ORDER BY.
 */
export function vietnameseNameSortKey(name: string): string {
  const words = cleanText(name).split(' ').filter(Boolean);
  const given = words.pop() ?? '';
  const family = words.shift() ?? '';
  return [given, family, ...words].map(sortWord).join('\u0001');
}

/**
 * A count as every screen and sheet shows it: thousands grouped with a dot, "200.009" (the
 * Vietnamese convention, DESIGN.md §3), the same in Chromium, Node and Electron whatever ICU data
 * they carry.
 */
export function formatCount(value: number): string {
  const sign = value < 0 ? '-' : '';
  return `${sign}${String(Math.trunc(Math.abs(value))).replace(/\B(?=(\d{3})+(?!\d))/gu, '.')}`;
}
