// Serves the built renderer through the workstation's local HTTP host (development and e2e tests).
// WS_PORT and WS_SECRET fix the port and secret (Playwright's webServer uses them).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHttpHost } from '../electron/workstation/httpHost.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const host = await startHttpHost({
  staticDir: path.join(root, 'dist', 'renderer'),
  port: process.env.WS_PORT ? Number(process.env.WS_PORT) : 0,
  secret: process.env.WS_SECRET,
});
console.log(`Workstation UI: ${host.url}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void host.close().then(() => process.exit(0)));
