// How the service client's requests leave the machine. Two stacks behind one type:
//  * Electron (electron/shell/network.ts): Chromium's network stack through a session of its own, so
//    the operating system's proxy (and PAC) settings and certificate store apply as in a browser;
//  * Node (here; the browser host, the tests): axios' http adapter through the configured proxy,
//    with https tunnelled by CONNECT (https-proxy-agent) and http sent in absolute form (http-proxy-agent);
//    `system` reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY as command-line tools do. PAC needs a JavaScript
//    sandbox that Node does not have: a PAC setting works only in the Electron app, and here every
//    request fails with a sentence that says so.
// No Electron import.

import type { CreateAxiosDefaults } from 'axios';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import type { ProxySetting } from '../../../contract/workstationSettings.js';

/** The parts of an axios instance's defaults that decide the route of its requests. */
export type Route = Pick<
  CreateAxiosDefaults,
  'adapter' | 'env' | 'httpAgent' | 'httpsAgent' | 'proxy' | 'fetchOptions'
>;

export type NetworkStack = {
  readonly name: 'node' | 'electron';
  /** Readies requests to `serviceUrl` to go the way `proxy` says; returns axios' settings for it. */
  route(proxy: ProxySetting, serviceUrl: string): Promise<{ config: Route; description: string }>;
};

/** Whether `host` matches a bypass list ("*.bhxh.local, 10.1.2.3, .example.vn"). */
export function bypasses(host: string, list: string): boolean {
  const h = host.toLowerCase();
  return list
    .split(/[,;\s]+/u)
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean)
    .some((e) => {
      if (e === '*') return true;
      const bare = e.replace(/^\*\./u, '.').replace(/:\d+$/u, '');
      return bare.startsWith('.') ? h.endsWith(bare) || h === bare.slice(1) : h === bare;
    });
}

/** The proxy URL a Node request to `target` should use under `proxy`, or null for a direct one. */
export function nodeProxyFor(proxy: ProxySetting, target: string): string | null {
  switch (proxy.mode) {
    case 'none':
      return null;
    case 'system':
      return getProxyForUrl(target) || null;
    case 'fixed':
      return bypasses(new URL(target).hostname, proxy.bypass) ? null : proxy.url;
    case 'pac':
      return null;
    default: {
      const never: never = proxy;
      return never;
    }
  }
}

export class PacUnsupportedError extends Error {
  constructor() {
    super(
      'Tệp PAC chỉ dùng được trong ứng dụng máy trạm (Electron); ở đây chọn proxy chỉ định hoặc không dùng proxy.',
    );
    this.name = 'PacUnsupportedError';
  }
}

export const nodeNetwork: NetworkStack = {
  name: 'node',
  async route(proxy, serviceUrl) {
    if (proxy.mode === 'pac') {
      // Every request fails before it leaves: with a sentence, not a silent direct connection.
      return {
        config: {
          proxy: false,
          adapter: () => Promise.reject(new PacUnsupportedError()),
        },
        description: `theo tệp PAC ${proxy.pacUrl} (không dùng được ngoài ứng dụng máy trạm)`,
      };
    }
    const via = nodeProxyFor(proxy, serviceUrl);
    if (!via) return { config: { proxy: false }, description: 'trực tiếp (không qua proxy)' };
    return {
      config: {
        // axios' own `proxy` would send https requests in plain form to the proxy: the agents tunnel.
        proxy: false,
        httpAgent: new HttpProxyAgent(via),
        httpsAgent: new HttpsProxyAgent(via),
      },
      description: `qua proxy ${new URL(via).origin}${proxy.mode === 'system' ? ' (biến môi trường HTTPS_PROXY)' : ''}`,
    };
  },
};

/** Electron's ProxyConfig (session.setProxy) for a proxy setting: the same four choices in its terms. */
export function electronProxyConfig(
  proxy: ProxySetting,
):
  | { mode: 'system' | 'direct' }
  | { mode: 'fixed_servers'; proxyRules: string; proxyBypassRules: string }
  | { mode: 'pac_script'; pacScript: string } {
  switch (proxy.mode) {
    case 'system':
      return { mode: 'system' };
    case 'none':
      return { mode: 'direct' };
    case 'fixed':
      return {
        mode: 'fixed_servers',
        proxyRules: proxy.url,
        proxyBypassRules: proxy.bypass
          .split(/[,;\s]+/u)
          .filter(Boolean)
          .join(','),
      };
    case 'pac':
      return { mode: 'pac_script', pacScript: proxy.pacUrl };
    default: {
      const never: never = proxy;
      return never;
    }
  }
}

/** How a proxy setting reads in Kiểm tra kết nối. */
export function describeProxy(proxy: ProxySetting): string {
  switch (proxy.mode) {
    case 'system':
      return 'theo cài đặt proxy của hệ điều hành';
    case 'none':
      return 'trực tiếp (không qua proxy)';
    case 'fixed':
      return `qua proxy ${proxy.url}`;
    case 'pac':
      return `theo tệp PAC ${proxy.pacUrl}`;
    default: {
      const never: never = proxy;
      return never;
    }
  }
}
