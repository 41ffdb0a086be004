// The one entry of every workstation call, for both transports (Electron IPC and the local HTTP host):
// the method looked up, its input checked with the contract's zod schema (a Vietnamese sentence per
// field), the handler run, and any failure returned as a value; an unexpected error becomes
// `internal` without its details, and is written to the log with its stack (masked, log.ts). Each
// call leaves one log line: the method, how long it took and its outcome code, never its input.

import { zodFieldMessages } from '../../contract/index.js';
import { Inputs, isMethod, type Handlers, type WsResult } from '../../contract/workstation.js';
import { WsFailure } from './errors.js';
import { silentLog, type Logger } from './log.js';

export type Dispatch = (method: string, input: unknown) => Promise<WsResult<unknown>>;

/** Calls made many times a minute by every screen: logged at debug, not info. */
const CHATTY = new Set(['sync.status', 'session.current', 'intake.images', 'print.batchWait']);

export function createDispatch(handlers: Handlers, log: Logger = silentLog()): Dispatch {
  return async (method, input) => {
    if (!isMethod(method)) {
      log.warn({ method: method.slice(0, 64) }, 'call of an unknown method');
      return { ok: false, error: { code: 'not_found', message: 'Không có chức năng này.' } };
    }
    const parsed = Inputs[method].safeParse(input ?? {}, { reportInput: true });
    if (!parsed.success) {
      log.info(
        { method, outcome: 'validation_failed', fields: Object.keys(zodFieldMessages(parsed.error.issues)) },
        'call',
      );
      return {
        ok: false,
        error: {
          code: 'validation_failed',
          message: 'Dữ liệu nhập không hợp lệ.',
          fields: zodFieldMessages(parsed.error.issues),
        },
      };
    }
    const started = performance.now();
    const ms = (): number => Math.round(performance.now() - started);
    const level = CHATTY.has(method) ? 'debug' : 'info';
    try {
      const handler = handlers[method] as (i: unknown) => Promise<unknown>;
      const value = await handler(parsed.data);
      log[level]({ method, ms: ms(), outcome: 'ok' }, 'call');
      return { ok: true, value };
    } catch (err) {
      if (err instanceof WsFailure) {
        log[level]({ method, ms: ms(), outcome: err.error.code }, 'call');
        return { ok: false, error: err.error };
      }
      log.error({ method, ms: ms(), outcome: 'internal', err }, 'call failed unexpectedly');
      return {
        ok: false,
        error: { code: 'internal', message: 'Lỗi không mong đợi trên máy trạm. Thử lại.' },
      };
    }
  };
}
