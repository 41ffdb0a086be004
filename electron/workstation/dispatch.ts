// The one entry of every workstation call, for both transports (Electron IPC and the local HTTP host):
// the method looked up, its input checked with the contract's zod schema (a Vietnamese sentence per
// field), the handler run, and any failure returned as a value; an unexpected error becomes
// `internal` without its details.

import { zodFieldMessages } from '../../contract/index.js';
import { Inputs, isMethod, type Handlers, type WsResult } from '../../contract/workstation.js';
import { WsFailure } from './errors.js';

export type Dispatch = (method: string, input: unknown) => Promise<WsResult<unknown>>;

export function createDispatch(handlers: Handlers): Dispatch {
  return async (method, input) => {
    if (!isMethod(method))
      return { ok: false, error: { code: 'not_found', message: 'Không có chức năng này.' } };
    const parsed = Inputs[method].safeParse(input ?? {}, { reportInput: true });
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'validation_failed',
          message: 'Dữ liệu nhập không hợp lệ.',
          fields: zodFieldMessages(parsed.error.issues),
        },
      };
    }
    try {
      const handler = handlers[method] as (i: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      if (err instanceof WsFailure) return { ok: false, error: err.error };
      return {
        ok: false,
        error: { code: 'internal', message: 'Lỗi không mong đợi trên máy trạm. Thử lại.' },
      };
    }
  };
}
