// Failures the workstation services report to the officer: thrown inside the services, turned into
// `{ok: false, error}` values by the dispatcher, never leaking internals. Every code is one of
// WsErrorCode (contract/workstation.ts): the service's, the scanner part's or the workstation's own.

import type { WsError, WsErrorCode } from '../../contract/workstation.js';
import { NetworkError, ServiceError } from './sync/httpSyncClient.js';

export class WsFailure extends Error {
  readonly error: WsError;
  constructor(error: WsError) {
    super(error.message);
    this.name = 'WsFailure';
    this.error = error;
  }
}

export function fail(
  code: WsErrorCode,
  message: string,
  extra: Omit<WsError, 'code' | 'message'> = {},
): never {
  throw new WsFailure({ code, message, ...extra });
}

/** The service's refusal passed on as it came (code, sentence, fields); unreachable → `offline`. */
export function serviceFailure(err: unknown): never {
  if (err instanceof ServiceError) fail(err.code, err.message, err.fields ? { fields: err.fields } : {});
  if (err instanceof NetworkError) fail('offline', 'Không kết nối được máy chủ: đang làm việc ngoại tuyến.');
  throw err;
}
