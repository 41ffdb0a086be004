// `npm start`: the whole system on its embedded default. One process (scripts/dev-host.ts) runs the
// central service on PGlite in DATA_DIR with demo data and the workstation services pointed at it. Where
// the Electron binary is present, the Electron window opens on the same service; where it is missing,
// it says so and the workstation UI is served on a local address printed as a full URL.
// Ctrl-C stops everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const children: ChildProcess[] = [];
let stopping = false;

function stop(code = 0): void {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  const deadline = setTimeout(() => process.exit(code), 5_000);
  deadline.unref();
  void Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
  ).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

function electronBinary(): string | null {
  const pathTxt = path.join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = path.join(root, 'node_modules', 'electron', 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

async function runToEnd(cmd: string, args: string[]): Promise<void> {
  const p = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
  children.push(p);
  const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
  if (code !== 0 && !stopping) {
    console.error(`${cmd} ${args.join(' ')} thất bại (${code}).`);
    stop(1);
  }
}

if (!existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) {
  console.log('Dựng giao diện (vite build)…');
  await runToEnd('npm', ['run', '--silent', 'build:renderer']);
}
const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(root, '.data'));
const bin = electronBinary();
if (!bin) {
  console.log(
    'Không có Electron trên máy này (ELECTRON_SKIP_BINARY_DOWNLOAD): giao diện máy trạm được phục vụ trong trình duyệt, mở địa chỉ in dưới đây.',
  );
}
const host = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev-host.ts'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, DATA_DIR: dataDir },
});
children.push(host);
host.on('exit', (code, signal) => {
  if (!stopping) {
    console.error(`Máy trạm và dịch vụ trung tâm đã dừng (${code ?? signal}).`);
    stop(1);
  }
});
let electronStarted = false;
host.stdout?.setEncoding('utf8');
host.stdout?.on('data', (chunk: string) => {
  process.stdout.write(chunk);
  const m = /Dịch vụ trung tâm: (http:\/\/\S+)/u.exec(chunk);
  if (m && bin && !electronStarted && !stopping) {
    electronStarted = true;
    if (!existsSync(path.join(root, 'dist', 'electron', 'main.cjs'))) {
      console.log('Dựng Electron (esbuild)…');
      spawn(process.execPath, ['scripts/build-electron.mjs'], { cwd: root, stdio: 'inherit' }).on(
        'exit',
        () => launch(m[1]!),
      );
    } else launch(m[1]!);
  }
});

function launch(serviceUrl: string): void {
  const app = spawn(bin!, [root], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SERVICE_URL: serviceUrl, DATA_DIR: path.join(dataDir, 'electron') },
  });
  children.push(app);
  app.on('exit', () => stop(0));
}
