import { deepFreeze } from './freeze.js';

/** Every JOSE `typ` value Mandate writes or accepts, in one place (explicit typing, RFC 8725 §3.11). */
export const TYP = deepFreeze({
  /** A Mandate root block, signed by a trust anchor. */
  root: 'mandate-root+jwt',
  /** A Mandate delegation block, signed by the previous block's holder. */
  delegation: 'mandate-delegation+jwt',
  /** An RFC 9449 DPoP proof, for HTTP requests. */
  dpop: 'dpop+jwt',
  /** Mandate's invocation proof, for tool calls that are not HTTP requests. */
  invocation: 'mandate-invocation+jwt',
  /**
   * A sender proof: the key that delegated a grant signs the message that carries it (A2A), so
   * whoever only saw the grant cannot send it.
   */
  sender: 'mandate-sender+jwt',
  /**
   * A human approval of one call: signed by an approver, bound to the mandate, its holder, the
   * service, the action and the arguments (docs/guides/approvals.md).
   */
  approval: 'mandate-approval+jwt',
  /** An AAT token (draft-niyikiza-oauth-attenuating-agent-tokens-02). */
  aat: 'aat+jwt',
  /** An AAT proof of possession. */
  aatPop: 'aat-pop+jwt',
  /** A signed revocation list, signed by a trust anchor (`mandate/stores/revocation-list`). */
  revocationList: 'mandate-revocation-list+jwt',
} as const);

export type Typ = (typeof TYP)[keyof typeof TYP];
