/** A deputy target over HTTP: the narrowed call is sent with `createMandateFetch`. */
import type { Json } from '../../core/types.js';
import type { DeputyTarget } from '../../proof/deputy.js';
import { createMandateFetch } from './client.js';

/** Options of `httpTarget`. */
export interface HttpTargetOptions {
  /** The URL to call. */
  readonly url: string;
  /** Default `'POST'`. */
  readonly method?: string;
  /** The service's identity (its verifier's `audience`). */
  readonly audience: string;
  /** Which arguments feed the service's constraints (default: all). */
  readonly pin?: readonly string[];
  /** The body sent: default the call's arguments as JSON (none for GET/HEAD). */
  readonly body?: (args: Readonly<Record<string, Json>>) => BodyInit | undefined;
  readonly fetch?: typeof fetch;
}

/** An HTTP service as a deputy target; `send` resolves the `Response`. */
export function httpTarget(options: HttpTargetOptions): DeputyTarget<Response> {
  const method = (options.method ?? 'POST').toUpperCase();
  return {
    audience: options.audience,
    ...(options.pin === undefined ? {} : { pin: options.pin }),
    async send(call) {
      const send = createMandateFetch({
        mandate: call.mandate,
        signer: call.signer,
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
      const body =
        options.body !== undefined
          ? options.body(call.args)
          : method === 'GET' || method === 'HEAD'
            ? undefined
            : JSON.stringify(call.args);
      return send(options.url, {
        method,
        ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
      });
    },
  };
}
