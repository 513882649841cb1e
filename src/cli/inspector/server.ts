/**
 * `mandate inspector`: a local web page to paste a mandate into and see its hops, and to ask
 * whether a request would be allowed. The server listens on 127.0.0.1 only (a pasted token is
 * a bearer credential until proof of possession is checked: it must not be reachable from the
 * network), answers only requests addressed to that host name (DNS rebinding), only JSON
 * POSTs from its own origin (cross-site requests), with bounded bodies and time, and turns
 * every failure into a coded JSON error instead of crashing.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { readBounded } from '../../core/bounded-read.js';
import { apiError, handleApi, isApiRoute, MAX_BODY_BYTES, type ApiResponse } from './api.js';
import { PAGE_CSP, PAGE_HTML } from './page.js';

/** The only address the Inspector listens on. */
export const INSPECTOR_HOST = '127.0.0.1';

/** Options of {@link startInspector}. */
export interface InspectorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
}

/** A running Inspector. */
export interface InspectorServer {
  /** The page's URL, e.g. `http://127.0.0.1:4711/`. */
  readonly url: string;
  readonly port: number;
  /** Stop listening and drop open connections. */
  close(): Promise<void>;
}

// Headers every response carries: no caching of pasted tokens, no sniffing, no framing.
const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
} as const;

const PAGE_BYTES = Buffer.from(PAGE_HTML, 'utf8');

class BodyTooLarge extends Error {}

function sendJson(res: ServerResponse, { status, body }: ApiResponse, close = false): void {
  if (res.headersSent || res.destroyed) return;
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': bytes.byteLength,
    // A body left unread (too large, wrong type) must not be parsed as the next request.
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(bytes);
}

/** Whether the request is addressed to this server by a loopback name (not a rebound DNS name). */
function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** A cross-site POST carries another Origin; a same-origin fetch carries ours (or none). */
function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  return (
    origin === undefined ||
    origin === `http://127.0.0.1:${port}` ||
    origin === `http://localhost:${port}`
  );
}

async function handle(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
  if (!hostAllowed(req, port)) {
    sendJson(res, apiError(403, 'INSPECTOR_FORBIDDEN', 'unexpected Host header'), true);
    return;
  }
  let path: string;
  try {
    path = new URL(req.url ?? '/', `http://127.0.0.1:${port}`).pathname;
  } catch {
    sendJson(res, apiError(404, 'INSPECTOR_NOT_FOUND', 'no such page'), true);
    return;
  }
  if (path === '/' || path === '/index.html') {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, apiError(405, 'INSPECTOR_METHOD_NOT_ALLOWED', 'use GET'), true);
      return;
    }
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-length': PAGE_BYTES.byteLength,
      'content-security-policy': PAGE_CSP,
    });
    res.end(req.method === 'HEAD' ? undefined : PAGE_BYTES);
    return;
  }
  if (!isApiRoute(path)) {
    // Includes /favicon.ico: the page has none, and asks for nothing else.
    sendJson(res, apiError(404, 'INSPECTOR_NOT_FOUND', 'no such page'), true);
    return;
  }
  if (req.method !== 'POST') {
    sendJson(res, apiError(405, 'INSPECTOR_METHOD_NOT_ALLOWED', 'use POST'), true);
    return;
  }
  if (!originAllowed(req, port)) {
    sendJson(res, apiError(403, 'INSPECTOR_FORBIDDEN', 'cross-origin requests are refused'), true);
    return;
  }
  // application/json only: a cross-site HTML form cannot send it without a CORS preflight,
  // which this server never answers.
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    sendJson(
      res,
      apiError(415, 'INSPECTOR_UNSUPPORTED_MEDIA_TYPE', 'send Content-Type: application/json'),
      true,
    );
    return;
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    sendJson(res, tooLarge(), true);
    return;
  }
  let bytes: Buffer;
  try {
    bytes = await readBounded(
      Readable.toWeb(req) as ReadableStream<Uint8Array>,
      MAX_BODY_BYTES,
      () => new BodyTooLarge(),
    );
  } catch (error) {
    if (error instanceof BodyTooLarge) sendJson(res, tooLarge(), true);
    else sendJson(res, apiError(400, 'INSPECTOR_BAD_REQUEST', 'the body could not be read'), true);
    return;
  }
  sendJson(res, await handleApi(path, bytes));
}

const tooLarge = (): ApiResponse =>
  apiError(413, 'INSPECTOR_TOO_LARGE', `the body is larger than ${MAX_BODY_BYTES} bytes`);

/**
 * Start the Inspector on 127.0.0.1 (never another interface). Resolves once it listens;
 * `port: 0` picks a free port, which `url` and `port` report.
 */
export async function startInspector(options: InspectorOptions = {}): Promise<InspectorServer> {
  const requested = options.port ?? 0;
  if (!Number.isSafeInteger(requested) || requested < 0 || requested > 65535) {
    throw new RangeError('port must be a whole number from 0 to 65535');
  }
  let port = requested;
  const server: Server = createServer(
    // Bounded time and headers: a slow or huge request cannot hold the server.
    { requestTimeout: 15_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 },
    (req, res) => {
      handle(req, res, port).catch(() => {
        sendJson(res, apiError(500, 'INSPECTOR_INTERNAL', 'the request failed unexpectedly'), true);
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  // A malformed request line or headers: answer with a coded error when the socket still can.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) {
      const body = JSON.stringify({
        error: { code: 'INSPECTOR_BAD_REQUEST', message: 'malformed HTTP request' },
      });
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    } else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(requested, INSPECTOR_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${INSPECTOR_HOST}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

/**
 * `mandate inspector [--port N]`: start the Inspector, print its URL, and run until SIGINT or
 * SIGTERM. Resolves the process exit code.
 */
export async function runInspector(port: number | undefined): Promise<number> {
  const inspector = await startInspector(port === undefined ? {} : { port });
  process.stdout.write(
    `Mandate Inspector on ${inspector.url} (127.0.0.1 only; Ctrl-C to stop)\n` +
      'Decoded views are unverified; verification uses only the anchors you give it.\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await inspector.close();
  return 0;
}
