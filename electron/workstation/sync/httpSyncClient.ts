// HttpSyncClient: the workstation's client of the central service (../shared/API.md) over axios.
// Every answer is classified once here: a ServiceError carries the service's `{error}` body and
// status; a NetworkError means the service could not be reached (offline, refused, reset, timeout).
// Where requests go (the service's address, the proxy) comes from the settings and may change while
// the app runs (Cài đặt): `configure` rebuilds the route; the network stack (Chromium's in Electron,
// Node's here) is chosen once by the composition root (sync/network.ts).

import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type {
  AgenciesResponse,
  ApiError,
  CaptchaResponse,
  ChangesResponse,
  ClaimResponse,
  DailyReport,
  DeclarationRequest,
  DecisionRequest,
  DecisionResponse,
  Dossier,
  ErrorCode,
  IntakeResponse,
  LoginRequest,
  LoginResponse,
  ReasonsResponse,
  RegistrySearchQuery,
  RegistrySearchResponse,
} from '../../../contract/index.js';
import type { ProxySetting } from '../../../contract/workstationSettings.js';
import { nodeNetwork, type NetworkStack } from './network.js';

export class ServiceError extends Error {
  readonly status: number;
  /** The service's code (API.md); a body without one gets `internal` (5xx) or `bad_request`. */
  readonly code: ErrorCode;
  readonly fields: Record<string, string> | undefined;
  readonly body: unknown;
  /** How long the service asked to wait (a 429's or 503's retry-after), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, body: unknown, retryAfter?: unknown) {
    const err = (body as Partial<ApiError> | null)?.error;
    super(err?.message ?? `Máy chủ trả lời mã ${status}.`);
    this.name = 'ServiceError';
    this.status = status;
    this.code = err?.code ?? (status >= 500 ? 'internal' : 'bad_request');
    this.fields = err?.fields;
    this.body = body;
    const seconds =
      typeof retryAfter === 'string' && /^\d{1,6}$/u.test(retryAfter) ? Number(retryAfter) : NaN;
    this.retryAfterMs = Number.isFinite(seconds) ? seconds * 1000 : undefined;
  }

  /** A refusal that says "not now" (too many requests, the service or its database away), not "no". */
  get transient(): boolean {
    return this.status === 429 || this.status === 408 || this.status >= 500;
  }
}

export class NetworkError extends Error {
  constructor(cause: string) {
    super(`Không kết nối được máy chủ (${cause}).`);
    this.name = 'NetworkError';
  }
}

export type HttpSyncClientOptions = {
  baseUrl: string;
  timeoutMs?: number;
  /** How requests leave the machine (default: Node's http with the proxy below). */
  network?: NetworkStack;
  /** default: the operating system's (Node: HTTPS_PROXY and friends) */
  proxy?: ProxySetting;
};

export class HttpSyncClient {
  private http: Promise<AxiosInstance>;
  private token: string | null = null;
  private base: string;
  private routeText = '';
  private readonly network: NetworkStack;
  private readonly timeoutMs: number;

  constructor(options: HttpSyncClientOptions) {
    this.network = options.network ?? nodeNetwork;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.base = options.baseUrl;
    this.http = this.build(options.baseUrl, options.proxy ?? { mode: 'system' });
    this.http.catch(() => undefined); // a route that cannot be built fails each request, not the process
  }

  /** A client with the same network stack and timeout for other settings (Kiểm tra kết nối). */
  withSettings(baseUrl: string, proxy: ProxySetting): HttpSyncClient {
    return new HttpSyncClient({ baseUrl, proxy, network: this.network, timeoutMs: this.timeoutMs });
  }

  /** Point the client at another service address or proxy (Cài đặt changed them). */
  configure(baseUrl: string, proxy: ProxySetting): void {
    this.base = baseUrl;
    this.http = this.build(baseUrl, proxy);
    this.http.catch(() => undefined);
  }

  baseUrl(): string {
    return this.base;
  }

  /** How requests go now, in Vietnamese ("trực tiếp", "qua proxy http://…"). */
  async route(): Promise<string> {
    await this.http.catch(() => undefined);
    return this.routeText;
  }

  private async build(baseUrl: string, proxy: ProxySetting): Promise<AxiosInstance> {
    const { config, description } = await this.network.route(proxy, baseUrl);
    this.routeText = description;
    return axios.create({
      baseURL: `${baseUrl.replace(/\/$/u, '')}/api/v1`,
      timeout: this.timeoutMs,
      validateStatus: () => true,
      // Only the configured service: never follow a redirect elsewhere (Node and fetch alike).
      maxRedirects: 0,
      fetchOptions: { redirect: 'error' },
      ...config,
    });
  }

  setToken(token: string | null): void {
    this.token = token;
  }

  hasToken(): boolean {
    return this.token !== null;
  }

  private async send<T>(
    method: 'get' | 'post' | 'put' | 'delete',
    url: string,
    data?: unknown,
    binary = false,
  ): Promise<T> {
    let res: AxiosResponse;
    try {
      const http = await this.http;
      res = await http.request({
        method,
        url,
        data,
        headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
        responseType: binary ? 'arraybuffer' : 'json',
      });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      throw new NetworkError(e.code ?? e.message ?? 'lỗi mạng');
    }
    if (res.status >= 200 && res.status < 300) return (binary ? res : res.data) as T;
    let body: unknown = res.data;
    if (binary && body instanceof ArrayBuffer) {
      try {
        body = JSON.parse(Buffer.from(body).toString('utf8'));
      } catch {
        body = null;
      }
    }
    throw new ServiceError(res.status, body, res.headers['retry-after']);
  }

  health(): Promise<{ ok: true }> {
    return this.send('get', '/health');
  }
  agencies(): Promise<AgenciesResponse> {
    return this.send('get', '/agencies');
  }
  captcha(): Promise<CaptchaResponse> {
    return this.send('get', '/auth/captcha');
  }
  login(req: LoginRequest): Promise<LoginResponse> {
    return this.send('post', '/auth/login', req);
  }
  logout(): Promise<unknown> {
    return this.send('post', '/auth/logout', {});
  }
  changes(after: number, limit: number): Promise<ChangesResponse> {
    return this.send('get', `/dossiers/changes?after=${after}&limit=${limit}`);
  }
  dossier(id: string): Promise<Dossier> {
    return this.send('get', `/dossiers/${encodeURIComponent(id)}`);
  }
  reasons(): Promise<ReasonsResponse> {
    return this.send('get', '/reasons');
  }
  /** The signed-in supervisor's agency, one day (YYYY-MM-DD); 403 for an officer. */
  dailyReport(date: string): Promise<DailyReport> {
    return this.send('get', `/reports/daily?date=${encodeURIComponent(date)}`);
  }
  decide(dossierId: string, req: DecisionRequest): Promise<DecisionResponse> {
    return this.send('post', `/dossiers/${encodeURIComponent(dossierId)}/decision`, req);
  }
  /** A new declaration (a mobile desk's): the same clientId again answers the same dossier. */
  intake(req: DeclarationRequest): Promise<IntakeResponse> {
    return this.send('post', '/dossiers', req);
  }
  /** The signed paper received (idempotent: a dossier already received is answered as it is). */
  receive(dossierId: string, clientId: string): Promise<Dossier> {
    return this.send('post', `/dossiers/${encodeURIComponent(dossierId)}/receive`, { clientId });
  }
  /** Tra cứu mã số BHXH: by ID number, or by full name and date of birth. */
  registrySearch(q: RegistrySearchQuery): Promise<RegistrySearchResponse> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, v);
    return this.send('get', `/registry/persons?${params.toString()}`);
  }
  claim(dossierId: string): Promise<ClaimResponse> {
    return this.send('post', `/dossiers/${encodeURIComponent(dossierId)}/claim`, {});
  }
  release(dossierId: string): Promise<unknown> {
    return this.send('delete', `/dossiers/${encodeURIComponent(dossierId)}/claim`);
  }
  /** An image or PDF for a role of the dossier (API.md attachments); the body is the bytes themselves. */
  async putAttachment(
    dossierId: string,
    role: string,
    mediaType: string,
    content: Buffer,
  ): Promise<{ id: string; sha256: string }> {
    let res: AxiosResponse;
    try {
      const http = await this.http;
      res = await http.request({
        method: 'put',
        url: `/dossiers/${encodeURIComponent(dossierId)}/attachments/${encodeURIComponent(role)}`,
        data: content,
        headers: {
          'content-type': mediaType,
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        // 10 MB over a slow counter line takes longer than a JSON call.
        timeout: 120_000,
        maxBodyLength: Infinity,
      });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      throw new NetworkError(e.code ?? e.message ?? 'lỗi mạng');
    }
    if (res.status >= 200 && res.status < 300) return res.data as { id: string; sha256: string };
    throw new ServiceError(res.status, res.data, res.headers['retry-after']);
  }
  async attachment(id: string): Promise<{ mediaType: string; content: Buffer }> {
    const res = await this.send<AxiosResponse<ArrayBuffer>>(
      'get',
      `/attachments/${encodeURIComponent(id)}`,
      undefined,
      true,
    );
    return {
      mediaType: String(res.headers['content-type'] ?? 'application/octet-stream').split(';')[0] ?? '',
      content: Buffer.from(res.data),
    };
  }
}
