// A load generator's HTTP/1.1 client: one kept-alive socket, one request at a time, the request
// written as one string and the answer read by its content-length. The benchmark's clients share the
// two cores with the service and PostgreSQL, so what they cost is taken from what is measured:
// per decision this costs 0.09 ms of CPU, node:http with a kept-alive agent 0.20 ms and undici's
// Pool 0.17–0.19 ms (measured on this machine at 32 clients). It only has to understand this
// service's answers: anything else (no content-length, chunked, a closed socket) is an error.

import net from 'node:net';

export type Answer = { status: number; text: string };

export class KeptAliveClient {
  private readonly socket: net.Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (a: Answer) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  /** The request's fixed header lines (host, the caller's), written once. */
  private readonly head: string;

  constructor(base: URL, headers: Record<string, string>) {
    this.head =
      `host: ${base.host}\r\n` +
      Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
    this.socket = net.connect(Number(base.port), base.hostname);
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.received(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('the service closed the connection')));
  }

  /** POST of a JSON body; resolves with the status and the body's text. */
  post(path: string, body: string): Promise<Answer> {
    return this.send(
      `POST ${path} HTTP/1.1\r\n${this.head}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  private send(request: string): Promise<Answer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error('one request at a time on a connection'));
    return new Promise<Answer>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  /** GET; resolves with the status and the body's text. */
  get(path: string): Promise<Answer> {
    return this.send(`GET ${path} HTTP/1.1\r\n${this.head}\r\n`);
  }

  close(): void {
    this.failure = new Error('closed');
    this.socket.destroy();
  }

  private received(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const end = this.buffered.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffered.toString('latin1', 0, end);
    const length = /\r\ncontent-length: *(\d+)/iu.exec(head)?.[1];
    if (length === undefined || !/^HTTP\/1\.1 \d{3} /u.test(head)) {
      this.fail(new Error(`an answer this client cannot read: ${head.split('\r\n')[0]}`));
      return;
    }
    const bodyEnd = end + 4 + Number(length);
    if (this.buffered.length < bodyEnd) return;
    const answer = {
      status: Number(head.slice(9, 12)),
      text: this.buffered.toString('utf8', end + 4, bodyEnd),
    };
    this.buffered = this.buffered.subarray(bodyEnd);
    const w = this.waiting;
    this.waiting = null;
    w?.resolve(answer);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(err);
  }
}
