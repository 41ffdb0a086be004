// `npm start`: the central service on its embedded default (PGlite in DATA_DIR) and the workstation
// pointed at it. Where the Electron binary is missing, the workstation UI is served on a local address.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const children: ChildProcess[] = [];

function run(name: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} đã dừng (${code ?? signal}); dừng toàn bộ hệ thống.`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0): void {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

if (!existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) {
  console.log('Dựng giao diện (vite build)…');
  const build = spawn('npm', ['run', '--silent', 'build:renderer'], { cwd: root, stdio: 'inherit' });
  await new Promise((resolve) => build.on('exit', resolve));
}
run('Dịch vụ trung tâm', ['server/main.ts']);
console.log('Không có Electron trên máy này: mở giao diện máy trạm trong trình duyệt theo địa chỉ dưới đây.');
run('Máy trạm', ['scripts/dev-host.ts']);
