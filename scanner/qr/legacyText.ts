// Detects text that is not clean Unicode Vietnamese: TCVN3 (ABC) or VNI bytes read as Latin-1 /
// Windows-1252, or a keyboard-wedge reader's keystrokes mangled by a Vietnamese input method.
// Such text is refused with a clear message rather than stored wrong (DOMAIN.md, "Vietnamese text").

const VIETNAMESE_LETTERS =
  'aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđbcdfghjklmnpqrstvwxz';
const ALLOWED = new Set([...VIETNAMESE_LETTERS, ...VIETNAMESE_LETTERS.toUpperCase()]);

/** Letters of the Latin-1 block that Vietnamese never uses but TCVN3/VNI text shows when misread. */
const LEGACY_MARKERS =
  /[\u00a1-\u00bf\u00c4-\u00c7\u00cb\u00ce-\u00d1\u00d6-\u00d8\u00db\u00dc\u00de\u00df\u00e4-\u00e7\u00eb\u00ee-\u00f1\u00f6-\u00f8\u00fb\u00fc\u00fe\u00ff\u2212\u0192]/u;

/**
 * Telex/VNI keystrokes left in a name by an input method: "Nguyeenx", "Vaawn", "Nguye6n". Vietnamese
 * names written without diacritics never double these vowels or put a digit after a vowel.
 */
const WEDGE_TELEX = /^[A-Za-z]*(?:aa|aw|ee|oo|ow|uw|dd)[A-Za-z]*$/iu;
const WEDGE_VNI = /^\p{L}*[aeiouy][1-9]\p{L}*$/iu;

export type LegacyVerdict = { legacy: false } | { legacy: true; reason: string };

/**
 * Is this text (a name or an address) in a legacy encoding or mangled by an input method?
 * `strict` also applies the keystroke heuristics, which only suit a person's name.
 */
export function detectLegacyText(text: string, options: { strict?: boolean } = {}): LegacyVerdict {
  const nfc = text.normalize('NFC');
  if (/[\u0300-\u036f]/u.test(nfc)) {
    // A combining mark left after NFC sits on a letter Vietnamese does not combine it with.
    return { legacy: true, reason: 'dấu rời (combining mark) không thuộc chữ tiếng Việt' };
  }
  if (LEGACY_MARKERS.test(nfc)) return { legacy: true, reason: 'ký tự của bảng mã TCVN3/VNI' };
  for (const ch of nfc) {
    if (/\p{L}/u.test(ch) && !ALLOWED.has(ch)) {
      return { legacy: true, reason: `chữ "${ch}" không có trong bảng chữ tiếng Việt` };
    }
  }
  if (options.strict) {
    for (const word of nfc.split(/\s+/u)) {
      if (WEDGE_VNI.test(word)) return { legacy: true, reason: 'chữ số lẫn trong tên (kiểu gõ VNI)' };
      if (WEDGE_TELEX.test(word)) return { legacy: true, reason: 'chữ bị bộ gõ Telex làm sai' };
    }
  }
  return { legacy: false };
}
