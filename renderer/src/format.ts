// Dates as the agency reads them: dd/MM/yyyy and dd/MM/yyyy HH:mm, in Asia/Ho_Chi_Minh (contract/dates.ts,
// the same as the printed documents and the service's messages).
import { dateTime, shortDate } from '../../contract/dates';

export function formatDate(iso: string | null | undefined): string {
  return shortDate(iso);
}

export function formatDateTime(iso: string | null | undefined): string {
  return dateTime(iso);
}
