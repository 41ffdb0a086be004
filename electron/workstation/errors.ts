// Failures the workstation services report to the officer: thrown inside the services, turned into
// `{ok: false, error}` values by the dispatcher, never leaking internals.

import type { WsError } from '../../contract/workstation.js';

export class WsFailure extends Error {
  readonly error: WsError;
  constructor(error: WsError) {
    super(error.message);
    this.name = 'WsFailure';
    this.error = error;
  }
}

export function fail(code: string, message: string, extra: Omit<WsError, 'code' | 'message'> = {}): never {
  throw new WsFailure({ code, message, ...extra });
}
