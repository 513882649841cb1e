/** A request sent with its target exactly as written: nothing normalises it on the client. */
import { request } from 'node:http';

export interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The JSON body, or undefined when there is none (HEAD, or Node's own 400). */
  readonly body: Record<string, unknown> | undefined;
}

/**
 * Send `method target` to `origin` over loopback. `http.request` with a `path` writes the
 * target verbatim (a `\`, `..`, `%2e` or `//` goes on the wire as is), unlike `fetch` or `URL`.
 */
export function sendRaw(
  origin: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<RawReply> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port, method, path: target, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown> | undefined;
          try {
            body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
