// Tests that cannot run on this machine (a binary is absent) are skipped with the reason in their
// title, so the summary and the runner's output both say why: never counted as passed.

import { existsSync } from 'node:fs';

export function binaryPresent(file: string): boolean {
  return existsSync(file);
}

/** "(skipped: <reason>)" appended to a test title when `present` is false. */
export function titleWithSkipReason(title: string, present: boolean, reason: string): string {
  return present ? title : `${title} (skipped: ${reason})`;
}
