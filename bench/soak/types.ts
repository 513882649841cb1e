/** What the soak's generator hands the verifying side: requests and what each must decide. */
import type { Action, Format } from '../../src/index.js';

/** What kind of traffic a request is (the mix is in ./workload.ts). */
export type RequestKind =
  | 'repeated'
  | 'never-seen'
  | 'fresh-keys'
  | 'delegated'
  | 'forbidden-root'
  | 'forbidden-last'
  | 'replayed'
  | 'stolen'
  | 'audience'
  | 'untrusted'
  | 'expired'
  | 'revoked';

/** The decision a request must get: allowed, or denied with exactly this code, hop and rule. */
export type Expected =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: string;
      readonly hop: number;
      readonly check: string;
    };

/** One request as a service receives it, with its expected decision. */
export interface SoakRequest {
  readonly kind: RequestKind;
  readonly format: Format;
  readonly token: string;
  /** The DPoP proof, bound to `POST <audience>/invoices/<invoice>/pay`. */
  readonly proof: string;
  readonly invoice: string;
  readonly amount: number;
  readonly expect: Expected;
}

/** A revocation the service learns before verifying a batch. */
export interface Revocation {
  readonly id: string;
  readonly expiresAt: number;
}

/** One batch of traffic, all at one (virtual) time. */
export interface Batch {
  /** Seconds since the epoch: the verifier's clock while it verifies this batch. */
  readonly now: number;
  readonly revocations: readonly Revocation[];
  readonly requests: readonly SoakRequest[];
}

/** The service every request is for, and the issuer every genuine root comes from. */
export const AUDIENCE = 'https://svc.soak.example';

/** The request a proof binds, and the action the service derives from it. */
export function requestOf(request: Pick<SoakRequest, 'invoice' | 'amount'>): {
  readonly http: { readonly method: 'POST'; readonly url: string };
  readonly action: Action;
} {
  return {
    http: { method: 'POST', url: `${AUDIENCE}/invoices/${request.invoice}/pay` },
    action: {
      resource: `billing:invoices/${request.invoice}`,
      action: 'pay',
      args: { amount: request.amount },
    },
  };
}

/** The virtual time the soak's traffic starts at (seconds since the epoch). */
export const CLOCK_START = 1_800_000_000;

/**
 * Requests per virtual second: how fast the virtual clock runs with the traffic. Slow enough
 * that a proof leaves the replay window (60 s) after ~300 requests, so the replay store reaches
 * its steady state early; pooled tokens (15 minutes) are re-minted every ~3,900 requests.
 */
export const RATE = 5;

/** The virtual time after `done` requests. */
export function virtualTime(done: number): number {
  return CLOCK_START + Math.floor(done / RATE);
}
