/** Bounded JSON body readers for node:http streams and Fetch-API requests. */
import type { IncomingMessage } from 'node:http';

/** Thrown when a body is larger than allowed or not JSON. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
}

function parse(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyError('the body is not JSON');
  }
}

/** Read a node:http request body as JSON, at most `maxBytes`. */
export async function readNodeJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new BodyError('the body is too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw new BodyError('the body is too large');
    chunks.push(buffer);
  }
  return parse(Buffer.concat(chunks).toString('utf8'));
}

/** Read a Fetch-API request body (a clone, so the handler can still read it), at most `maxBytes`. */
export async function readFetchJson(request: Request, maxBytes: number): Promise<unknown> {
  if (request.body === null) return undefined;
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new BodyError('the body is too large');
  const reader = request.clone().body?.getReader();
  if (reader === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new BodyError('the body is too large');
    }
    chunks.push(value);
  }
  return parse(Buffer.concat(chunks).toString('utf8'));
}
