// Dates and values as the printed documents show them: dates as everywhere else (contract/dates.ts:
// dd/MM/yyyy, "ngày 10 tháng 8 năm 2020" on the form), phones 0xxx xxx xxx.

import { checkMobile, formatMobile } from '../../../contract/identity.js';

export { dateTime, longDate, shortDate, vnDay, vnParts, type DateParts } from '../../../contract/dates.js';

/** Declared or E.164 → "0983 847 986"; legacy values that are no mobile number print as they are. */
export function displayMobile(value: string | null | undefined): string {
  if (!value) return '';
  const checked = checkMobile(value);
  return checked.ok ? formatMobile(checked.value) : value;
}

/** A phone on a notice handed over the counter: enough to recognise, not to copy. "0983 *** 986" */
export function maskedMobile(value: string | null | undefined): string {
  const shown = displayMobile(value);
  const m = /^(0\d{3}) \d{3} (\d{3})$/u.exec(shown);
  return m ? `${m[1]} *** ${m[2]}` : shown.replace(/\d(?=\d{3})/gu, '*');
}
