// Just enough XML for eSCL documents: element text and repeated elements by local name (any
// namespace prefix), and escaping for the documents we write. eSCL documents are small, flat and
// machine-written; a full XML parser would add a dependency for nothing.

const unescape = (s: string): string =>
  s
    .replace(/&lt;/gu, '<')
    .replace(/&gt;/gu, '>')
    .replace(/&quot;/gu, '"')
    .replace(/&apos;/gu, "'")
    .replace(/&amp;/gu, '&');

export const escapeXml = (s: string): string =>
  s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/"/gu, '&quot;');

/** Inner XML of every element with this local name (e.g. "ColorMode" matches <scan:ColorMode>). */
export function elements(xml: string, localName: string): string[] {
  const re = new RegExp(
    `<(?:[\\w-]+:)?${localName}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${localName}>`,
    'gu',
  );
  return [...xml.matchAll(re)].map((m) => m[1] ?? '');
}

/** Trimmed, unescaped text of the first element with this local name, or null. */
export function text(xml: string, localName: string): string | null {
  const first = elements(xml, localName)[0];
  return first === undefined ? null : unescape(first.trim());
}

export function texts(xml: string, localName: string): string[] {
  return elements(xml, localName).map((e) => unescape(e.trim()));
}
