// Dates as the agency reads them, the same on the service, the workstation, the printed documents and
// the screens: dd/MM/yyyy, dd/MM/yyyy HH:mm and "ngày 10 tháng 8 năm 2020", on the wall clock of
// Asia/Ho_Chi_Minh. A plain date (YYYY-MM-DD) carries no time zone and stays that day.

export type DateParts = { year: number; month: number; day: number; hour: number; minute: number };

// Vietnam has had no daylight saving since 1975: a fixed +07:00 offset is exact and far faster than
// Intl in a batch of a thousand forms.
const VN_OFFSET_MS = 7 * 3600_000;

/** YYYY-MM-DD stays that day; an ISO timestamp becomes its wall-clock time in Hồ Chí Minh City. */
export function vnParts(value: string): DateParts | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(value);
  if (day) return { year: Number(day[1]), month: Number(day[2]), day: Number(day[3]), hour: 0, minute: 0 };
  const t = Date.parse(value);
  if (Number.isNaN(t)) return null;
  const d = new Date(t + VN_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

const two = (n: number): string => String(n).padStart(2, '0');

/** "ngày 10 tháng 8 năm 2020", as the portal prints Mẫu 01. */
export function longDate(value: string | null | undefined): string | null {
  const p = value ? vnParts(value) : null;
  return p ? `ngày ${p.day} tháng ${p.month} năm ${p.year}` : null;
}

/** dd/MM/yyyy; '' when there is no date. */
export function shortDate(value: string | null | undefined): string {
  const p = value ? vnParts(value) : null;
  return p ? `${two(p.day)}/${two(p.month)}/${p.year}` : '';
}

/** dd/MM/yyyy HH:mm; '' when there is no date. */
export function dateTime(value: string | null | undefined): string {
  const p = value ? vnParts(value) : null;
  return p ? `${two(p.day)}/${two(p.month)}/${p.year} ${two(p.hour)}:${two(p.minute)}` : '';
}

/** The wall-clock day (YYYY-MM-DD) of a timestamp in Vietnam. */
export function vnDay(value: string): string {
  const p = vnParts(value);
  return p ? `${p.year}-${two(p.month)}-${two(p.day)}` : '';
}
