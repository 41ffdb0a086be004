// A TCP proxy on 127.0.0.1 between the workstation and the central service, for development and fault
// tests: `cut()` destroys every open connection and refuses new ones (the network drops mid-request),
// `restore()` lets traffic through again. Not used in production.

import net from 'node:net';

export type LoopbackProxy = {
  port: number;
  url: string;
  isUp(): boolean;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
};

export async function startLoopbackProxy(target: { host: string; port: number }): Promise<LoopbackProxy> {
  let up = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    isUp: () => up,
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      up = true;
    },
    async close() {
      up = false;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
