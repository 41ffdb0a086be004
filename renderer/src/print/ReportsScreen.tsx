// Báo cáo: the supervisors' screen for the daily report and the desk's end-of-day reconciliation.
// Issue 4 item 5.

export function ReportsScreen() {
  return null;
}
