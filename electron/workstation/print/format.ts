// Dates and values as the printed documents show them: dates as everywhere else (contract/dates.ts:
// dd/MM/yyyy, "ngày 10 tháng 8 năm 2020" on the form), phones 0xxx xxx xxx on sheets and notices, and
// on Mẫu 01 as declared (0xxxxxxxxx, no grouping).

import { displayMobile } from '../../../contract/identity.js';

export { dateTime, longDate, shortDate, vnDay, vnParts, type DateParts } from '../../../contract/dates.js';
export { declaredMobile, displayMobile } from '../../../contract/identity.js';

/** A phone on a notice handed over the counter: enough to recognise, not to copy. "0983 *** 986" */
export function maskedMobile(value: string | null | undefined): string {
  const shown = displayMobile(value);
  const m = /^(0\d{3}) \d{3} (\d{3})$/u.exec(shown);
  return m ? `${m[1]} *** ${m[2]}` : shown.replace(/\d(?=\d{3})/gu, '*');
}
