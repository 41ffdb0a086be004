// The renderer's one way to the workstation services: the typed WorkstationApi, over Electron's
// contextBridge (`window.workstation`, set by the preload) or, in a browser, over the local HTTP host.
import type {
  Input,
  Method,
  Outputs,
  WorkstationApi,
  WsError,
  WsEvent,
  WsResult,
} from '../../contract/workstation';

declare global {
  interface Window {
    workstation?: WorkstationApi;
  }
}

function httpApi(): WorkstationApi {
  const listeners = new Set<(e: WsEvent) => void>();
  let source: EventSource | null = null;
  const connect = (): void => {
    source = new EventSource('/api/events');
    source.onmessage = (m) => {
      const e = JSON.parse(String(m.data)) as WsEvent;
      for (const l of listeners) l(e);
    };
  };
  return {
    async call(method, input) {
      try {
        const res = await fetch(`/api/call/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input ?? {}),
        });
        return (await res.json()) as WsResult<never>;
      } catch {
        return {
          ok: false,
          error: { code: 'host_unreachable', message: 'Mất kết nối tới máy trạm cục bộ.' },
        };
      }
    },
    on(listener) {
      listeners.add(listener);
      if (!source) connect();
      return () => listeners.delete(listener);
    },
  };
}

export const api: WorkstationApi = window.workstation ?? httpApi();

export class ApiFailure extends Error {
  readonly error: WsError;
  constructor(error: WsError) {
    super(error.message);
    this.error = error;
  }
}

/** Call and unwrap: the value, or an ApiFailure carrying the Vietnamese message. */
export async function call<M extends Method>(method: M, input: Input<M>): Promise<Outputs[M]> {
  const r = (await api.call(method, input)) as WsResult<Outputs[M]>;
  if (!r.ok) throw new ApiFailure(r.error);
  return r.value;
}

export function errorMessage(err: unknown): string {
  return err instanceof ApiFailure ? err.error.message : 'Đã có lỗi xảy ra.';
}
