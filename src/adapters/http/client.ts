/** The client side of `mandate/http`: a `fetch` that sends a mandate and a fresh proof per request. */
import type { KeyPair, MandateLike } from '../../core/types.js';
import { prove } from '../../proof/prove.js';

/** Options of `createMandateFetch`. */
export interface MandateFetchOptions {
  /** The mandate to present (its last holder is `signer`), or a function giving the current one. */
  readonly mandate: MandateLike | (() => MandateLike | Promise<MandateLike>);
  /** The mandate's last holder: it signs a DPoP proof for every request. */
  readonly signer: KeyPair;
  /** The underlying fetch. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
}

/**
 * A `fetch` that sets `Authorization: DPoP <mandate>` and a fresh `DPoP` proof bound to the
 * request's method and URL (RFC 9449) on every call. It does not follow redirects with the
 * credentials (`redirect: 'manual'` unless the caller says otherwise): a proof is bound to
 * one URL, and a mandate should not travel to a host it was not sent to.
 */
export function createMandateFetch(options: MandateFetchOptions): typeof fetch {
  if (typeof options !== 'object' || options === null) throw new TypeError('options required');
  const base = options.fetch ?? globalThis.fetch;
  if (typeof base !== 'function') throw new TypeError('no fetch available');
  const { signer } = options;
  const current = async (): Promise<string> => {
    const mandate =
      typeof options.mandate === 'function' ? await options.mandate() : options.mandate;
    const token = typeof mandate === 'string' ? mandate : mandate?.token;
    if (typeof token !== 'string' || token.length === 0) throw new TypeError('no mandate to send');
    return token;
  };
  const wrapped = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, { redirect: 'manual', ...init });
    const token = await current();
    const url = new URL(request.url);
    const proof = await prove(token, {
      signer,
      request: { method: request.method.toUpperCase(), url: `${url.origin}${url.pathname}` },
    });
    const headers = new Headers(request.headers);
    headers.set('authorization', `DPoP ${token}`);
    headers.set('dpop', proof);
    return base(new Request(request, { headers }));
  };
  return wrapped;
}
