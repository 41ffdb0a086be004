// The service client's network stack in Electron: Chromium's, through a session of its own (in memory,
// no webRequest filter: the default session's filter cancels everything but app: and devtools:), so
// the operating system's proxy settings, PAC files and certificate store apply as they do in a browser
// on the same machine. Each route sets that session's proxy from the settings, drops the connections
// made under the previous one, and hands axios the session's fetch. Type-checked and bundled here; the
// Electron binary is absent on the build machines, so it has not run (docs/deploy.md lists the review).

import { session } from 'electron';
import { describeProxy, electronProxyConfig, type NetworkStack } from '../workstation/sync/network.js';

const PARTITION = 'service-client';

export function createElectronNetwork(): NetworkStack {
  const ses = session.fromPartition(PARTITION);
  // The renderer never loads anything here; nothing may ask for a permission.
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  return {
    name: 'electron',
    async route(proxy) {
      await ses.setProxy(electronProxyConfig(proxy));
      await ses.closeAllConnections();
      return {
        config: {
          adapter: 'fetch',
          // axios' fetch adapter on the session's fetch (Request and Response are the global ones).
          env: {
            fetch: ((input: string | Request, init?: RequestInit) => ses.fetch(input, init)) as typeof fetch,
          },
          fetchOptions: { redirect: 'error' },
        },
        description: describeProxy(proxy),
      };
    },
  };
}
