// Child process of the kill -9 test: a workstation signs in, records one decision ("Ghi nhận") while
// its push may still be in flight, prints the decision id, and stays alive until the parent kills it
// with SIGKILL. Run with: tsx recordThenHang.ts <serviceUrl> <dataDir> <dossierId>
import path from 'node:path';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { createWorkstation } from '../../../electron/workstation/workstation.js';

const [serviceUrl, dataDir, dossierId] = process.argv.slice(2) as [string, string, string];
const ws = createWorkstation({
  dataDir,
  serviceUrl,
  keyProvider: keyFileProvider(path.join(dataDir, 'store.key')),
  transport: 'http',
  sync: { pullIntervalMs: 60_000, pageSize: 50 },
  // Answer at once after the local transaction: the kill lands while the push is in flight.
  recordWaitMs: 0,
});
const signIn = await ws.dispatch('session.signIn', {
  agencyCode: '903',
  username: 'ttcntt',
  password: 'Bhxh@2020',
});
if (!signIn.ok) throw new Error('sign-in failed');
await ws.engine.syncNow();
const r = await ws.dispatch('decisions.record', {
  dossierId,
  outcome: 'invalid',
  reasonCodes: ['R01'],
  reason: '',
});
if (!r.ok) throw new Error(r.error.message);
process.stdout.write(`${JSON.stringify({ decisionId: (r.value as { item: { id: string } }).item.id })}\n`);
setInterval(() => undefined, 1000);
