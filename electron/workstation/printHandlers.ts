// Printing handlers of the workstation API (issue 4 item 5). See contract/workstationPrint.ts.

import type { PrintInputs } from '../../contract/workstationPrint.js';
import type { Handlers } from '../../contract/workstation.js';
import type { WorkstationContext } from './context.js';

/** What the Electron shell lends printing (the system print dialog, a save dialog); absent over HTTP. */
export type PrintOptions = Record<never, never>;

export type PrintMethod = keyof typeof PrintInputs;

export function createPrintHandlers(
  _ctx: WorkstationContext,
  _options: PrintOptions = {},
): Pick<Handlers, PrintMethod> {
  return {};
}
