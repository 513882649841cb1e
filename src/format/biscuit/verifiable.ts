/**
 * A Biscuit mandate's answers to the verifier's questions (src/format/codec.ts).
 *
 * What is verified where (docs/format.md, "Biscuit encoding"):
 * - `rootSignatureValid(key)`: the authority block's Biscuit signature verifies under `key` (the
 *   trust anchor's). For a one-block token, also that the token's proof secret is the private half of
 *   the authority block's next key (Biscuit's own token-closing check).
 * - `linkSignatureValid(hop, key)`: block `hop` is a third-party block whose external public key is
 *   `key` (the parent holder's) and whose external signature verifies under it, over the block's bytes
 *   and the previous block's signature.
 * - `parentHashValid(hop)`: Biscuit has no parent hash; its signature chaining is the commitment.
 *   Block `hop`'s signature verifies under block `hop - 1`'s next key and covers block `hop - 1`'s
 *   signature (which covers `hop - 1`'s bytes), its own bytes, its next key and its external
 *   signature; for the last block, the proof secret must match its next key. So a block moved under
 *   another parent, or a parent altered under it, fails here (or already at its external signature,
 *   which covers the parent's signature too).
 * - `authorizeDatalog(action, context)`: after all of the above passed, biscuit-wasm verifies the whole
 *   token again with the root key (an independent implementation of the same signatures) and runs
 *   an authorizer holding the request's facts against every block's checks. It can only deny.
 *
 * Not checked here: anything the format-independent rules check on the decoded blocks (trust anchor
 * name, narrowing, time, revocation, audience, proof of possession, the capability algebra).
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';

import { MandateError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { assertSafeText, parseConcreteResource, parseResourcePattern } from '../../core/names.js';
import type { Action } from '../../core/types.js';
import type { DatalogContext, DatalogOutcome, VerifiableChain } from '../codec.js';
import { decodeBiscuit, type BiscuitChainBlock } from './chain.js';
import {
  biscuitVerify,
  blockSignaturePayload,
  externalSignaturePayload,
  fromTokenText,
  sameBiscuitKey,
  secretMatches,
  toKeyObject,
  type BiscuitAlgorithm,
  type BiscuitToken,
} from './token.js';
import {
  biscuitErrorKind,
  biscuitInstanceGeneration,
  withBiscuit,
  type BiscuitApi,
  type BiscuitRunLimits,
  type WasmScope,
} from './wasm.js';
import { ENFORCES_APPROVALS_FACT } from './approvals.js';

/**
 * Run limits of the Datalog authorization. biscuit-wasm 0.6.0 honours only `max_time_micro` (its
 * built-in bounds of about 1000 facts and 100 iterations stay, which Mandate's blocks — a dozen facts
 * and a few checks each, no rules — are far below). The time limit is generous because a cold
 * instance or a GC pause can take tens of milliseconds; a Timeout is retried once, then denied.
 */
export const DATALOG_LIMITS: BiscuitRunLimits = {
  max_facts: 1000,
  max_iterations: 100,
  max_time_micro: 250_000,
};

function keyAlgorithm(key: KeyObject): BiscuitAlgorithm | undefined {
  if (key.type !== 'public') return undefined;
  if (key.asymmetricKeyType === 'ed25519') return 0;
  if (key.asymmetricKeyType === 'ec') return 1;
  return undefined;
}

function rawPublicKey(key: KeyObject, algorithm: BiscuitAlgorithm): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  if (algorithm === 0) return Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  const prefix = ((y[y.length - 1] ?? 0) & 1) === 1 ? 3 : 2;
  return Buffer.concat([Buffer.of(prefix), Buffer.from(jwk.x ?? '', 'base64url')]);
}

function rootSignatureOk(token: BiscuitToken, key: KeyObject): boolean {
  const authority = token.blocks[0];
  const algorithm = keyAlgorithm(key);
  if (authority === undefined || algorithm === undefined) return false;
  const payload = blockSignaturePayload(authority.block, authority.nextKey, undefined, undefined);
  if (!biscuitVerify(key, algorithm, payload, authority.signature)) return false;
  return token.blocks.length > 1 || secretMatches(token.nextSecret, authority.nextKey);
}

function externalSignatureOk(blocks: readonly BiscuitChainBlock[], hop: number, key: KeyObject) {
  const signed = blocks[hop]?.signed;
  const previous = blocks[hop - 1]?.signed;
  const external = signed?.external;
  if (signed === undefined || previous === undefined || external === undefined) return false;
  if (!sameBiscuitKey(external.publicKey, key)) return false;
  const payload = externalSignaturePayload(signed.block, previous.signature);
  return biscuitVerify(key, external.publicKey.algorithm, payload, external.signature);
}

function chainedSignatureOk(
  token: BiscuitToken,
  blocks: readonly BiscuitChainBlock[],
  hop: number,
) {
  const signed = blocks[hop]?.signed;
  const previous = blocks[hop - 1]?.signed;
  if (signed === undefined || previous === undefined || hop < 1) return false;
  let previousKey: KeyObject;
  try {
    previousKey = toKeyObject(previous.nextKey);
  } catch {
    return false;
  }
  const payload = blockSignaturePayload(
    signed.block,
    signed.nextKey,
    previous.signature,
    signed.external?.signature,
  );
  if (!biscuitVerify(previousKey, previous.nextKey.algorithm, payload, signed.signature))
    return false;
  return hop < blocks.length - 1 || secretMatches(token.nextSecret, signed.nextKey);
}

// ---------------------------------------------------------------------------------------------
// Datalog authorization
// ---------------------------------------------------------------------------------------------

/** Authorizer code: the request's facts (docs/format.md) and an allow-all policy (checks decide). */
export function requestCode(
  request: {
    readonly resource: string;
    readonly operation: string;
    readonly service: string;
    readonly times: readonly number[];
  },
  maxSegments: number,
): { source: string; parameters: Record<string, string | { date: string }> } {
  const parsed = parseConcreteResource(request.resource, 'action.resource');
  const parameters: Record<string, string | { date: string }> = {
    resource: request.resource,
    scheme: parsed.scheme,
    operation: request.operation,
    service: request.service,
  };
  const lines = [
    'resource({resource});',
    'resource_scheme({scheme});',
    `resource_length(${parsed.segments.length});`,
    'operation({operation});',
    'service({service});',
    // This authorizer enforces approval requirements (rule 9): see approvals.ts.
    ENFORCES_APPROVALS_FACT,
  ];
  request.times.forEach((t, i) => {
    parameters[`t${i}`] = isoDate(t);
    lines.push(`time({t${i}});`);
  });
  // Only the segments some pattern can look at: bounds the facts by the token, not the request.
  parsed.segments.slice(0, maxSegments).forEach((seg, i) => {
    parameters[`g${i}`] = seg;
    lines.push(`resource_segment(${i}, {g${i}});`);
  });
  lines.push('allow if true;');
  return { source: lines.join('\n'), parameters };
}

function isoDate(seconds: number): { date: string } {
  const clamped = Math.min(Math.max(0, Math.trunc(seconds)), 253_402_300_799);
  return { date: new Date(clamped * 1000).toISOString().replace('.000Z', 'Z') };
}

/** The block a failed-check error names: the lowest `Block.block_id`, or the authorizer (→ 0). */
function failedHop(error: unknown): number {
  const hops: number[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 8 || typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    const block = record['Block'];
    if (typeof block === 'object' && block !== null) {
      const id = (block as Record<string, unknown>)['block_id'];
      if (typeof id === 'number' && Number.isSafeInteger(id)) hops.push(id);
    }
    for (const child of Object.values(record)) visit(child, depth + 1);
  };
  visit(error, 0);
  return hops.length === 0 ? 0 : Math.min(...hops);
}

/** Runs the authorizer; returns the biscuit error it threw, or undefined when it allowed. */
function runAuthorizer(
  api: BiscuitApi,
  scope: WasmScope,
  bytes: Uint8Array,
  root: { key: Uint8Array; algorithm: BiscuitAlgorithm },
  code: ReturnType<typeof requestCode>,
): { error?: unknown; stage?: 'parse' | 'authorize' } {
  const rootKey = scope.own(api.PublicKey.fromBytes(root.key, root.algorithm));
  let token;
  try {
    token = scope.own(api.Biscuit.fromBytes(bytes, rootKey));
  } catch (error) {
    if (biscuitErrorKind(error) === undefined) throw error;
    return { error, stage: 'parse' };
  }
  const builder = scope.own(new api.AuthorizerBuilder());
  builder.addCodeWithParameters(code.source, code.parameters, {});
  const authorizer = scope.own(builder.buildAuthenticated(token));
  try {
    authorizer.authorizeWithLimits(DATALOG_LIMITS);
    return {};
  } catch (error) {
    if (biscuitErrorKind(error) === undefined) throw error;
    return { error, stage: 'authorize' };
  }
}

let warmGeneration: number | undefined;

/**
 * One throwaway authorization per wasm instance, so the first genuine one does not pay the cold
 * start (the first run in a fresh process takes tens of milliseconds).
 */
async function warmUp(): Promise<void> {
  const generation = biscuitInstanceGeneration();
  if (generation !== undefined && generation === warmGeneration) return;
  const code = requestCode(
    { resource: 'warm:up/now', operation: 'read', service: 'warm', times: [1_900_000_000] },
    2,
  );
  await withBiscuit((api, scope) => {
    const builder = scope.own(api.Biscuit.builder());
    builder.addCodeWithParameters(
      'mandate(1); check if operation($op), {ops}.contains($op), resource_scheme({s}), ' +
        'resource_segment(0, {g}), resource_length($n), $n >= 1; check if time($t), $t < {exp};',
      { ops: { set: ['read'] }, s: 'warm', g: 'up', exp: { date: '2100-01-01T00:00:00Z' } },
      {},
    );
    const key = scope.own(api.PrivateKey.fromBytes(new Uint8Array(32).fill(9), 0));
    const token = scope.own(builder.build(key));
    const auth = scope.own(new api.AuthorizerBuilder());
    auth.addCodeWithParameters(code.source, code.parameters, {});
    try {
      scope.own(auth.buildAuthenticated(token)).authorizeWithLimits(DATALOG_LIMITS);
    } catch (error) {
      if (biscuitErrorKind(error) === undefined) throw error;
    }
  });
  warmGeneration = biscuitInstanceGeneration();
}

async function authorizeWithDatalog(
  token: string,
  maxSegments: number,
  root: KeyObject | undefined,
  action: Action,
  context: DatalogContext,
  limits: Limits,
): Promise<DatalogOutcome> {
  const algorithm = root === undefined ? undefined : keyAlgorithm(root);
  if (root === undefined || algorithm === undefined) {
    return {
      allowed: false,
      code: 'MANDATE_SIGNATURE_INVALID',
      hop: 0,
      reason: 'the root signature was not verified before authorization',
    };
  }
  // Validated before wasm sees them (the algebra already accepted the action; this is belt and braces).
  const resource = assertSafeText(action.resource, 'action.resource', limits.maxStringLength);
  const operation = assertSafeText(action.action, 'action.action', limits.maxStringLength);
  const service = assertSafeText(context.audience, 'audience', limits.maxStringLength);
  // Two clock readings carry the tolerance exactly as the window rule applies it: expiry checks
  // (`$t < exp`) hold if now - tolerance is before expiry; not-before checks if now + tolerance is not.
  const times =
    context.clockTolerance === 0
      ? [context.now]
      : [context.now - context.clockTolerance, context.now + context.clockTolerance];
  const code = requestCode({ resource, operation, service, times }, maxSegments);
  const bytes = fromTokenText(token);
  const rootKey = { key: rawPublicKey(root, algorithm), algorithm };
  await warmUp();
  for (let attempt = 0; ; attempt++) {
    const result = await withBiscuit((api, scope) => {
      const run = runAuthorizer(api, scope, bytes, rootKey, code);
      // Plain data only leaves the scope: the error objects are serialized Rust enums.
      return { ...run, kind: run.error === undefined ? undefined : biscuitErrorKind(run.error) };
    });
    if (result.error === undefined) return { allowed: true };
    if (result.kind === 'RunLimit' && attempt === 0) continue;
    if (result.kind === 'RunLimit') {
      return {
        allowed: false,
        code: 'MANDATE_LIMIT_EXCEEDED',
        hop: 0,
        reason: 'Datalog authorization exceeded its run limits',
        detail: { biscuit: 'RunLimit' },
      };
    }
    if (result.stage === 'parse') {
      // Our own signature checks passed, biscuit-wasm's did not: deny, never guess.
      return {
        allowed: false,
        code: 'MANDATE_SIGNATURE_INVALID',
        hop: 0,
        reason: 'signature verification failed',
        detail: { biscuit: result.kind },
      };
    }
    const hop = failedHop(result.error);
    return {
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      hop,
      reason: `block ${hop}: a Datalog check does not allow this`,
      detail: { biscuit: result.kind },
    };
  }
}

/**
 * Decodes a Biscuit mandate (rule 1) and wraps it for the verifier's rules. Throws
 * `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for a token that does not decode.
 */
export function biscuitVerifiableChain(token: string, limits: Limits): Promise<VerifiableChain> {
  return Promise.resolve().then(() => wrap(token, decodeBiscuit(token, limits), limits));
}

function wrap(token: string, decoded: ReturnType<typeof decodeBiscuit>, limits: Limits) {
  const { blocks } = decoded;
  // The longest fixed prefix of any capability's pattern: how many request segments Datalog needs.
  const maxSegments = Math.max(
    0,
    ...blocks.flatMap((b) =>
      b.capabilities.map(
        (c) => parseResourcePattern(c.resource, 'capability.resource').segments.length,
      ),
    ),
  );
  let verifiedRoot: KeyObject | undefined;
  const chain: VerifiableChain = {
    format: 'biscuit',
    blocks,
    rootSignatureValid(key) {
      const ok = rootSignatureOk(decoded.token, key);
      if (ok) verifiedRoot = key;
      return ok;
    },
    linkSignatureValid: (hop, key) => externalSignatureOk(blocks, hop, key),
    parentHashValid: (hop) => chainedSignatureOk(decoded.token, blocks, hop),
    async authorizeDatalog(action, context) {
      try {
        return await authorizeWithDatalog(
          token,
          maxSegments,
          verifiedRoot,
          action,
          context,
          limits,
        );
      } catch (error) {
        if (error instanceof MandateError) throw error;
        throw new MandateError('MANDATE_INTERNAL', 'Datalog authorization failed unexpectedly', {
          check: 'authorize',
          cause: error,
        });
      }
    },
  };
  return chain;
}
