// The QR our printed Mẫu 01 carries: its payload holds the dossier number (NNNNN.GD/YYYY/AGENCY).
// The printing side may wrap it (a URL, a "key=value" list, JSON); this finds the number inside any of
// them, so the format can change without touching recognition. A mobile desk's form printed before
// the service numbered it carries its Mã tạm instead (MT-XXXX-XXXX, contract/desk.ts).

import { parseProvisionalRef } from '../../contract/desk.js';

const DOSSIER_NUMBER_ANYWHERE = /(\d{5})\.GD\/(\d{4})\/([0-9A-Za-z]{1,10})(?![0-9A-Za-z])/u;

/** The dossier number inside a form QR's text, or null. */
export function dossierNumberFromQr(text: string): string | null {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // not URL-encoded: use as is
  }
  const m = DOSSIER_NUMBER_ANYWHERE.exec(decoded);
  return m ? m[0] : null;
}

/** Other fields a printed form's QR may carry as `key=value` pairs separated by | ; & or newlines. */
export function keyValuesFromQr(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
      }
      return out;
    }
  } catch {
    // not JSON
  }
  for (const pair of text.split(/[|;&\n]/u)) {
    const m = /^\s*([A-Za-z][\w.]*)\s*[=:]\s*(.*)$/u.exec(pair);
    if (m && m[1] && m[2] !== undefined) out[m[1]] = m[2].trim();
  }
  return out;
}

/** The Mã tạm a desk form's QR carries (the whole text, "MT" first), in its canonical form; or null. */
export function provisionalRefFromQr(text: string): string | null {
  const t = text.normalize('NFC').trim();
  if (!/^MT[\s-]?[0-9A-Za-z]{4}[\s-]?[0-9A-Za-z]{4}$/iu.test(t)) return null;
  const parsed = parseProvisionalRef(t);
  return parsed.ok ? parsed.value.ref : null;
}
