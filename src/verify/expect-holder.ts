/**
 * The verifier option `expectHolder`: a hop's holder must belong to a named agent, bound to
 * it by something signed: the agent's signed Agent Card (its holder-keys extension), or an
 * X.509-SVID the TLS layer authenticated (a SPIFFE ID). Checked with rule 8 (`possession`).
 */
import { MandateError, isMandateError } from '../core/errors.js';
import type { AgentResolver } from '../identity/agent-card/resolve.js';
import { agentOrigin } from '../identity/agent-card/origin.js';
import { certificatePublicJwkSync, toX509 } from '../identity/certificate.js';
import type { MtlsContext } from '../proof/mtls/possession.js';
import { parseSpiffeId, spiffeIdFromCertificate } from '../proof/mtls/spiffe.js';
import { sameKey, type PublicJwk } from '../identity/jwk.js';
import { thumbprintUriSync } from '../identity/thumbprint.js';

/** The `expectHolder` option of `createVerifier`. */
export interface ExpectHolder {
  /**
   * The agent: an https origin (`https://billing.example`), resolved through the verifier's
   * `agents` resolver and its signed Agent Card; or a SPIFFE ID (`spiffe://td/billing`),
   * matched against the X.509-SVID of the mTLS connection (last hop only).
   */
  readonly agent: string;
  /** The block whose holder is checked: 0 = the root's holder; negative counts from the end. Default -1 (the caller). */
  readonly hop?: number;
}

/** `expectHolder` validated at `createVerifier` time. */
export type ResolvedExpectHolder =
  | {
      readonly kind: 'card';
      readonly agent: string;
      readonly hop: number;
      readonly agents: AgentResolver;
    }
  | { readonly kind: 'spiffe'; readonly agent: string; readonly hop: -1 };

/** Validate the option. Misuse throws TypeError. */
export function resolveExpectHolder(
  expect: ExpectHolder | undefined,
  agents: AgentResolver | undefined,
): ResolvedExpectHolder | undefined {
  if (expect === undefined) return undefined;
  if (typeof expect !== 'object' || expect === null || typeof expect.agent !== 'string') {
    throw new TypeError('expectHolder needs { agent, hop? }');
  }
  const hop = expect.hop ?? -1;
  if (!Number.isSafeInteger(hop)) throw new TypeError('expectHolder.hop must be an integer');
  if (expect.agent.startsWith('spiffe://')) {
    if (parseSpiffeId(expect.agent) === undefined)
      throw new TypeError('expectHolder.agent is not a valid SPIFFE ID');
    if (hop !== -1)
      throw new TypeError('a SPIFFE agent can only be expected of the last hop (the TLS peer)');
    return { kind: 'spiffe', agent: expect.agent, hop: -1 };
  }
  if (agents === undefined || typeof agents.isAgentKey !== 'function') {
    throw new TypeError(
      'expectHolder with an agent origin needs the agents option (createAgentResolver)',
    );
  }
  return { kind: 'card', agent: agentOrigin(expect.agent), hop, agents };
}

function notAgent(hop: number, agent: string, reason: string, cause?: unknown): MandateError {
  return new MandateError(
    'MANDATE_UNTRUSTED_ISSUER',
    `the holder of block ${hop} is not shown to be ${agent}`,
    { check: 'possession', hop, detail: { reason, agent }, cause },
  );
}

/**
 * Check the expected holder. Throws `MANDATE_UNTRUSTED_ISSUER` (check `possession`, the
 * checked hop) with `detail.reason`: `holder-not-agent` (the key is not among the agent's),
 * `agent-unresolved` (its card could not be fetched or verified: fail closed), `no-svid`
 * (no authenticated client certificate naming that SPIFFE ID), `no-such-hop`.
 */
export async function checkExpectedHolder(
  expect: ResolvedExpectHolder,
  blocks: readonly { readonly holderKey: PublicJwk }[],
  mtls: MtlsContext | undefined,
): Promise<void> {
  const hop = expect.hop < 0 ? blocks.length + expect.hop : expect.hop;
  const block = blocks[hop];
  if (block === undefined) {
    throw notAgent(Math.max(0, Math.min(hop, blocks.length - 1)), expect.agent, 'no-such-hop');
  }
  if (expect.kind === 'spiffe') {
    const presented = mtls?.peerCertificate;
    if (presented === undefined) throw notAgent(hop, expect.agent, 'no-svid');
    let ok = false;
    try {
      const cert = toX509(presented);
      ok =
        spiffeIdFromCertificate(cert)?.id === expect.agent &&
        sameKey(certificatePublicJwkSync(cert), block.holderKey);
    } catch {
      ok = false;
    }
    if (!ok) throw notAgent(hop, expect.agent, 'no-svid');
    return;
  }
  let belongs: boolean;
  try {
    belongs = await expect.agents.isAgentKey(expect.agent, thumbprintUriSync(block.holderKey));
  } catch (cause) {
    throw notAgent(
      hop,
      expect.agent,
      'agent-unresolved',
      isMandateError(cause) ? cause : undefined,
    );
  }
  if (!belongs) throw notAgent(hop, expect.agent, 'holder-not-agent');
}
