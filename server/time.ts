// Times on the wire are ISO 8601 with the agency's offset (Asia/Ho_Chi_Minh, +07:00, no DST).
// PostgreSQL answers in that session time zone as text; these turn it (or a JS Date) into ISO form.

const PG_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})(?::?(\d{2}))?$/u;

/** '2020-08-10 09:12:00+07' → '2020-08-10T09:12:00+07:00'; null stays null. */
export function pgTimeToIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return isoVn(value);
  const s = String(value);
  const m = PG_TIME.exec(s);
  if (!m) return s;
  return `${m[1]}T${m[2]}${m[3]}:${m[4] ?? '00'}`;
}

/** A Date as ISO 8601 in +07:00. */
export function isoVn(date: Date): string {
  const shifted = new Date(date.getTime() + 7 * 3600_000);
  return shifted.toISOString().replace('Z', '+07:00');
}

/** The calendar date (YYYY-MM-DD) in Vietnam of a Date. */
export function dateVn(date: Date): string {
  return isoVn(date).slice(0, 10);
}

/** The year in Vietnam of a Date (dossier numbers are per agency per year). */
export function yearVn(date: Date): number {
  return Number(isoVn(date).slice(0, 4));
}

/** An ISO string with an offset, accepted as a point in time; null when it is not one. */
export function parseInstant(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/u.test(value))
    return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}
