/**
 * Runs one RFC 8725 vector (test/vectors/rfc8725.json) through the real checker of its
 * target: `createVerifier`, `createAccessTokenVerifier` or `verifyAgentCard`.
 */
import type { Rfc8725File, Rfc8725Vector } from '../../scripts/generate-rfc8725-vectors.js';
import { createVerifier, MandateError, type VerifierOptions } from '../../src/index.js';
import {
  createAccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from '../../src/oauth/index.js';
import {
  verifyAgentCard,
  type VerifyAgentCardOptions,
} from '../../src/identity/agent-card/index.js';

/** What a checker decided, reduced to what a vector states. */
export type Outcome =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: string;
      readonly check: string;
      readonly hop?: number;
    };

/** A thrown MandateError is a coded denial; anything else is rethrown: an uncoded throw fails the vector. */
function coded(error: unknown): Outcome {
  if (!(error instanceof MandateError)) throw error;
  return {
    allowed: false,
    code: error.code,
    check: error.check,
    ...(error.hop === undefined ? {} : { hop: error.hop }),
  };
}

/** A decision (`createVerifier`, `createAccessTokenVerifier`) reduced to an outcome. */
function outcomeOf(decision: Outcome): Outcome {
  if (decision.allowed) return { allowed: true };
  return {
    allowed: false,
    code: decision.code,
    check: decision.check,
    ...(decision.hop === undefined ? {} : { hop: decision.hop }),
  };
}

/** Run one vector through its target's real checker. */
export async function runVector(f: Rfc8725File, v: Rfc8725Vector): Promise<Outcome> {
  const target = f.targets[v.target];
  if (target === undefined) throw new Error(`${v.id}: no target ${v.target}`);
  const input = v.input as Record<string, unknown>;
  if (target.kind === 'verifier') {
    const verifier = createVerifier({
      ...(target.config as VerifierOptions),
      clock: () => f.now,
    });
    const decision = await verifier.verify(input['token'] as string, {
      ...(input['action'] === null ? {} : { action: input['action'] as never }),
      ...(input['proof'] === null ? {} : { proof: input['proof'] as string }),
      request: input['request'] as never,
    });
    return outcomeOf(decision);
  }
  if (target.kind === 'access-token') {
    const verifier = createAccessTokenVerifier({
      ...(target.config as AccessTokenVerifierOptions),
      clock: () => f.now,
    });
    const decision = await verifier.verify(input['accessToken'] as string);
    return outcomeOf(decision);
  }
  try {
    await verifyAgentCard(input['card'], target.config as VerifyAgentCardOptions);
    return { allowed: true };
  } catch (error) {
    return coded(error);
  }
}
