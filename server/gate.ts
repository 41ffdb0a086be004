// The service's one input gate and answer envelope, for what the routes never see:
// - JSON bodies are decoded as strict UTF-8 (invalid bytes are a 422 naming the field, not a silent
//   U+FFFD stored), then parsed with Fastify's own prototype-poisoning checks;
// - every string a client sends (body, query, path) is checked against the input rules of
//   contract/input.ts before any handler runs: the schemas state each field's rules, this backstop
//   makes sure nothing of any shape reaches PostgreSQL in a form it refuses (NUL, lone surrogates);
// - every answer is the API.md envelope with x-request-id, also those the framework or Node's HTTP
//   parser make themselves (a malformed percent-encoding, an over-long path parameter, a 20 kB
//   header, Content-Length with Transfer-Encoding): no echo of the input, no framework names;
// - an error PostgreSQL raises about a value (SQLSTATE class 22, data exception) is answered 400
//   and logged as a gate failure: the corpus tests look for that log line.

import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type pino from 'pino';
import { firstUncleanString, isCleanText } from '../contract/index.js';
import { ApiError, invalid, notFound } from './errors.js';

type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, pino.Logger>;

/** The log message of a value PostgreSQL refused: the gate let something through. */
export const GATE_MISSED = 'input reached the database and was refused there';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const looseUtf8 = new TextDecoder('utf-8');

/** The envelope's JSON for a status, machine code and Vietnamese sentence. */
export const envelope = (code: string, message: string): string =>
  JSON.stringify({ error: { code, message } });

/** The answer to what the HTTP framework refuses before routing (frameworkErrors). */
export function frameworkError(err: { code?: string }, req: FastifyRequest, reply: FastifyReply): void {
  const [status, code, message] =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [404, 'not_found', 'Không có địa chỉ này trong dịch vụ.']
      : err.code === 'FST_ERR_BAD_URL'
        ? [400, 'bad_request', 'Địa chỉ yêu cầu không đúng định dạng (mã hoá phần trăm không hợp lệ).']
        : [400, 'bad_request', 'Yêu cầu không hợp lệ.'];
  req.log.info({ status, framework: err.code ?? 'unknown' }, 'refused before routing');
  void reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('x-request-id', req.id)
    .header('cache-control', 'no-store')
    .send(envelope(code, message));
}

/**
 * What Node's HTTP parser refuses (a header too large, Content-Length with Transfer-Encoding, a
 * broken request line, a request that took too long): the socket is answered by hand, in the
 * envelope with an x-request-id of its own, and closed.
 */
export function clientError(log: { info: (o: object, m: string) => void }) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'Phần đầu (header) hoặc địa chỉ của yêu cầu quá dài.']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT'
          ? [408, 'bad_request', 'Yêu cầu gửi quá chậm và đã bị huỷ. Vui lòng thử lại.']
          : [400, 'bad_request', 'Yêu cầu HTTP không đúng định dạng.'];
    const id = randomUUID();
    log.info({ status, parser: err.code ?? 'unknown', requestId: id }, 'refused by the HTTP parser');
    if (socket.writable) {
      const body = Buffer.from(envelope(code, message));
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
          `content-length: ${body.length}\r\nx-request-id: ${id}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n`,
      );
      socket.write(body);
    }
    socket.destroy();
  };
}

/**
 * Query strings decoded strictly: a value whose percent-encoding is malformed or not UTF-8 ("%FF",
 * "%ED%A0%80", "a%") becomes U+FFFD, which the text gate answers with a 422 naming its field
 * (the default parser kept such text as it came, and a search ran on it). A repeated key gives a
 * list, which the schemas refuse.
 */
export function strictQuery(raw: string): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const decode = (v: string): string => {
    try {
      return decodeURIComponent(v.replaceAll('+', ' '));
    } catch {
      return '\uFFFD';
    }
  };
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1));
    const k = isCleanText(key) ? key : '_';
    const had = out[k];
    out[k] = had === undefined ? value : Array.isArray(had) ? [...(had as string[]), value] : [had, value];
  }
  return out;
}

/** JSON bodies decoded as strict UTF-8 and parsed with Fastify's own poisoning checks. */
export function installJsonParser(app: App): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const bytes = body as Buffer;
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      // Invalid UTF-8: name the fields it sits in when the JSON can be read at all.
      parse(req, looseUtf8.decode(bytes), (err, value) => {
        const field = err ? null : firstUncleanString(value);
        done(
          field
            ? invalid({ [field]: 'Văn bản không đúng mã UTF-8.' }, 'Nội dung gửi lên không đúng mã UTF-8.')
            : new ApiError(400, 'invalid_json', 'Nội dung yêu cầu không đúng định dạng JSON (UTF-8).'),
          undefined,
        );
      });
      return;
    }
    parse(req, text, done);
  });
}

/**
 * Every string a request carries, checked against the input rules before its handler: path
 * parameters that break them answer 404 (no such thing), query and body fields 422 naming the field.
 */
export function installTextGate(app: App): void {
  app.addHook('preValidation', async (req) => {
    if (firstUncleanString(req.params)) throw notFound('Không có địa chỉ này trong dịch vụ.');
    const inQuery = firstUncleanString(req.query);
    if (inQuery)
      throw invalid({ [inQuery]: 'Có ký tự không được phép (ký tự điều khiển hoặc sai mã UTF-8).' });
    if (req.body !== undefined && !Buffer.isBuffer(req.body)) {
      const inBody = firstUncleanString(req.body);
      if (inBody)
        throw invalid({ [inBody]: 'Có ký tự không được phép (ký tự điều khiển hoặc sai mã UTF-8).' });
    }
  });
}

type HttpError = Error & { statusCode?: number; code?: string };

/** The error handler: ApiError as it says; the framework's own errors mapped; the rest a bare 500. */
export function installErrorHandler(app: App): void {
  app.setErrorHandler(async (err: HttpError, req, reply) => {
    const answer = (e: ApiError) => {
      for (const [k, v] of Object.entries(e.headers ?? {})) void reply.header(k, v);
      return reply.code(e.status).send(e.body());
    };
    if (err instanceof ApiError) return await answer(err);
    const code = err.code ?? '';
    const status = err.statusCode ?? 500;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413)
      return await answer(
        new ApiError(413, 'payload_too_large', 'Nội dung gửi lên vượt quá dung lượng cho phép.'),
      );
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415)
      return await answer(
        new ApiError(
          415,
          'unsupported_media_type',
          'Kiểu nội dung không được hỗ trợ (chỉ nhận JSON, JPEG, PNG hoặc PDF).',
        ),
      );
    if (code.startsWith('FST_ERR_CTP') || err instanceof SyntaxError)
      return await answer(new ApiError(400, 'invalid_json', 'Nội dung yêu cầu không đúng định dạng JSON.'));
    // PostgreSQL refused a value (data exception): caused by input the gate should have stopped.
    if (/^22[0-9A-Z]{3}$/u.test(code)) {
      req.log.warn({ sqlstate: code, route: req.routeOptions.url }, GATE_MISSED);
      return await answer(new ApiError(400, 'bad_request', 'Dữ liệu gửi lên không hợp lệ.'));
    }
    if (status >= 400 && status < 500)
      return await answer(
        new ApiError(
          status === 404 ? 404 : 400,
          status === 404 ? 'not_found' : 'bad_request',
          'Yêu cầu không hợp lệ.',
        ),
      );
    req.log.error(
      { err: { type: err.name, code, message: err.message.slice(0, 200) }, route: req.routeOptions.url },
      'request failed',
    );
    return await answer(new ApiError(500, 'internal', 'Hệ thống gặp lỗi. Vui lòng thử lại sau.'));
  });
}
