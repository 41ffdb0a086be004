// Child process of the mobile desk's kill -9 test: a workstation on <dataDir> signs in through
// <serviceUrl>; with `record N` it waits for the parent's go (a line on stdin: the network is cut by
// then), records N desk dossiers (four images and a decision each), prints their ids, and lives on
// sending; with `resume` it only lives on, sending what its store holds, and prints `done` once every
// chain is accepted. The parent kills it with SIGKILL at a chosen step of a chain.
// Run with: tsx deskChild.ts <serviceUrl> <dataDir> record <n> | resume
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createRandom, syntheticPerson } from '../../../contract/index.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { createWorkstation } from '../../../electron/workstation/workstation.js';
import { deskImages, registerAtDesk } from './deskSupport.js';

const [serviceUrl, dataDir, mode, count] = process.argv.slice(2) as [string, string, string, string?];
const ws = createWorkstation({
  dataDir,
  serviceUrl,
  keyProvider: keyFileProvider(path.join(dataDir, 'store.key')),
  transport: 'http',
  sync: { pullIntervalMs: 60_000, pageSize: 50, baseBackoffMs: 100, maxBackoffMs: 400 },
  recordWaitMs: 0,
  requestTimeoutMs: 5_000,
});
const say = (line: unknown): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const signIn = await ws.dispatch('session.signIn', {
  agencyCode: '903',
  username: 'ttcntt',
  password: 'Bhxh@2020',
});
if (!signIn.ok) throw new Error(`sign-in: ${signIn.error.message}`);
await ws.dispatch('desk.setName', { deskName: 'KCN Quang Minh' });
say({ signedIn: true });
if (mode === 'record') {
  await new Promise<void>((resolve) =>
    createInterface({ input: process.stdin }).once('line', () => resolve()),
  );
  const rnd = createRandom(4242);
  const ids: string[] = [];
  for (let i = 0; i < Number(count ?? 1); i++) {
    const p = syntheticPerson(rnd, 4242_000 + i);
    ids.push((await registerAtDesk(ws, p, { images: await deskImages(p) })).id);
  }
  say({ recorded: ids });
}
ws.engine.kick();
setInterval(() => {
  const s = ws.engine.status();
  if (s.deskQueued === 0 && s.deskNeedsFix === 0) say({ done: true });
}, 200);
