/** Bounded JSON body readers for node:http streams and Fetch-API requests. */
import type { IncomingMessage } from 'node:http';
import { readBounded } from '../../core/bounded-read.js';
import { findJsonProblem } from '../../core/json-text.js';
import { deepFreeze } from '../../core/freeze.js';

/** Thrown when a body is larger than allowed or not JSON. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
}

deepFreeze(BodyError);

const tooLarge = (): BodyError => new BodyError('the body is too large');

// Strict like every other JSON Mandate reads: with duplicate keys, two parsers of one body
// could disagree on the arguments a proof was bound to.
function parse(text: string): unknown {
  if (text.length === 0) return undefined;
  const problem = findJsonProblem(text);
  if (problem !== undefined) throw new BodyError(`the body is not acceptable JSON: ${problem}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyError('the body is not JSON');
  }
}

/** Read a node:http request body as JSON, at most `maxBytes`. */
export async function readNodeJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(buffer);
  }
  return parse(Buffer.concat(chunks).toString('utf8'));
}

/** Read a Fetch-API request body (a clone, so the handler can still read it), at most `maxBytes`. */
export async function readFetchJson(request: Request, maxBytes: number): Promise<unknown> {
  if (request.body === null) return undefined;
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw tooLarge();
  const bytes = await readBounded(request.clone().body, maxBytes, tooLarge);
  return parse(bytes.toString('utf8'));
}
