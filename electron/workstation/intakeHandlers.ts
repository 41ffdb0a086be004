// Intake handlers of the workstation API (issue 6 item 7). See contract/workstationIntake.ts.

import type { IntakeInputs } from '../../contract/workstationIntake.js';
import type { Handlers } from '../../contract/workstation.js';
import type { WorkstationContext } from './context.js';

/** Scanner and reader settings for intake (devices, eSCL URLs, SANE configuration). */
export type IntakeOptions = Record<never, never>;

export type IntakeMethod = keyof typeof IntakeInputs;

export function createIntakeHandlers(
  _ctx: WorkstationContext,
  _options: IntakeOptions = {},
): Pick<Handlers, IntakeMethod> {
  return {};
}
