/**
 * Human approvals (docs/guides/approvals.md): a compact JWS (`typ` `mandate-approval+jwt`)
 * signed by an approver for exactly one call — this mandate (its last block's id), this
 * holder, this service, this action on this resource, these arguments (SHA-256 of their
 * RFC 8785 form) — with a short lifetime and a unique id. It travels beside the proof of
 * possession (`VerifyRequest.approvals`, the HTTP `Mandate-Approval` header, the MCP and A2A
 * metadata keys) and is single-use: the verifier records its id in the replay store.
 */
import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { MandateError, type MandateErrorCode } from '../core/errors.js';
import { assertJson } from '../core/json.js';
import { assertSafeText } from '../core/names.js';
import { firstIssue } from '../core/schemas.js';
import { lazySchema } from '../core/zod.js';
import { parseSpan, systemClock, type Span } from '../core/time.js';
import { TYP } from '../core/typ.js';
import { tokenOf } from '../core/token-of.js';
import type { Action, Json, KeyPair, MandateLike, ProofRequest } from '../core/types.js';
import { parseCompactJws } from '../core/jws/compact.js';
import { verifyJwsSignature } from '../core/jws/signature.js';
import type { ChainBlock } from '../format/codec.js';
import { decodeChain } from '../format/parse.js';
import { toolAction } from '../format/aat/claims.js';
import { algForJwk, parsePublicJwk, type PublicJwk, type SigningAlg } from '../identity/jwk.js';
import { prepareSigner } from '../identity/keys.js';
import { thumbprintUriSync } from '../identity/thumbprint.js';
import { proofAudience } from './audience.js';
import { signProof } from './prove.js';
import { argsHash } from './request.js';

/** The call an approver approves: everything an approval binds, arguments in full. */
export interface ApprovalCall {
  /** The mandate the call is made under: the id of its last block. */
  readonly mandate: string;
  /** Principal id (RFC 9278 thumbprint URI) of the mandate's last holder: the caller. */
  readonly holder: string;
  /** The service the call is made to (its verifier's `audience`). */
  readonly audience: string;
  readonly resource: string;
  readonly action: string;
  /** The exact arguments; the approval signs their SHA-256 digest (RFC 8785 form). */
  readonly args: Readonly<Record<string, Json>>;
}

/** Options of {@link approve}. */
export interface ApproveOptions {
  /** Seconds (or a span) the approval stays valid. Default 300; verifiers cap it (default 900). */
  readonly expiresIn?: Span;
  /** Seconds since the epoch (default: the wall clock). */
  readonly now?: number;
  /** The approval id (default: a random UUID). Set it only for reproducible vectors. */
  readonly jti?: string;
}

/** Default lifetime of an approval: long enough for a retry, short enough to be one call's. */
export const DEFAULT_APPROVAL_LIFETIME = 300;

/** Most characters an approval may have; longer ones are refused before parsing. */
export const MAX_APPROVAL_LENGTH = 4096;

// Built on first use (an approval is rare: zod loads when the first one is checked).
const approvalClaims = lazySchema((z) => {
  const text = z.string().min(1).max(1024);
  const seconds = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
  return z.strictObject({
    jti: z.string().min(1).max(256),
    iat: seconds,
    exp: seconds,
    aud: text,
    mandate: text,
    holder: text,
    resource: text,
    action: text,
    args_hash: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  });
});

/** An approval's claims as signed. */
export type ApprovalClaims = z.infer<ReturnType<typeof approvalClaims>>;

function callArgs(args: unknown): Readonly<Record<string, Json>> {
  if (args === undefined) return {};
  assertJson(args, 'call.args', { maxArrayLength: 100_000 });
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new TypeError('call.args must be an object');
  }
  return args as Readonly<Record<string, Json>>;
}

/**
 * The call a human should see and approve, as the verifier will bind it: the mandate's last
 * block and holder, the service (`audience`: default the mandate's one service; required
 * when it names several or none), and the action (or the tool call's action, as `verify`
 * derives it from `{ tool, args }`).
 *
 * @throws TypeError on misuse (no action, an ambiguous audience).
 */
export async function approvalCall(
  mandate: MandateLike,
  call: { readonly action?: Action; readonly request?: ProofRequest; readonly audience?: string },
): Promise<ApprovalCall> {
  return approvalCallIn(await decodeChain(tokenOf(mandate, 'approvalCall')), call);
}

/**
 * {@link approvalCall} on a chain already decoded (`decodeChain`), for callers that ask about
 * many calls under one mandate and decode it once (an agent run's pre-send check).
 */
export function approvalCallIn(
  blocks: readonly ChainBlock[],
  call: Parameters<typeof approvalCall>[1],
): ApprovalCall {
  const last = blocks.at(-1);
  if (last === undefined) throw new TypeError('the mandate has no blocks');
  const request = call.request;
  const tool = request !== undefined && 'tool' in request ? request : undefined;
  let action = call.action ?? (tool === undefined ? undefined : toolAction(tool.tool, tool.args));
  if (action === undefined) throw new TypeError('approvalCall needs an action or a tool request');
  if (action.args === undefined && tool !== undefined) action = { ...action, args: tool.args };
  const audience = proofAudience(blocks, call.audience);
  if (audience === undefined) {
    throw new TypeError(
      'the mandate names no audience: pass the service the call is for (audience)',
    );
  }
  return {
    mandate: last.id,
    holder: last.holder,
    audience,
    resource: action.resource,
    action: action.action,
    args: callArgs(action.args),
  };
}

/**
 * Approve one call: sign an approval of `call` with the approver's key. Show the human the
 * call (`describeCall`) before calling this; the approval is worth nothing for any other
 * call, holder, service or mandate, nor after it expires, nor a second time.
 *
 * @returns the approval (a compact JWS) to send beside the retried call.
 * @throws TypeError on misuse (a bad key, a call that is not a call).
 */
export function approve(
  call: ApprovalCall,
  approver: KeyPair,
  options: ApproveOptions = {},
): Promise<string> {
  // Asynchronous like `prove` (a signer may one day be remote); misuse rejects.
  return Promise.resolve().then(() => signApproval(call, approver, options));
}

function signApproval(call: ApprovalCall, approver: KeyPair, options: ApproveOptions): string {
  if (typeof call !== 'object' || call === null) throw new TypeError('approve needs the call');
  const signer = prepareSigner(approver);
  for (const name of ['mandate', 'holder', 'audience', 'resource', 'action'] as const) {
    assertSafeText(call[name], `call.${name}`, 1024);
  }
  const iat = options.now ?? systemClock();
  if (!Number.isSafeInteger(iat) || iat < 0) throw new RangeError('now must be whole seconds');
  const lifetime = parseSpan(options.expiresIn ?? DEFAULT_APPROVAL_LIFETIME, 'expiresIn');
  if (lifetime <= 0) throw new RangeError('expiresIn must be positive');
  const claims: ApprovalClaims = {
    jti: options.jti ?? randomUUID(),
    iat,
    exp: iat + lifetime,
    aud: call.audience,
    mandate: call.mandate,
    holder: call.holder,
    resource: call.resource,
    action: call.action,
    args_hash: argsHash(callArgs(call.args)),
  };
  return signProof(signer, TYP.approval, claims);
}

/** The call in plain words, for the human who approves it (arguments as canonical JSON). */
export function describeCall(call: ApprovalCall): string {
  const args = Object.entries(call.args)
    .map(([name, value]) => `  ${name} = ${JSON.stringify(value)}`)
    .join('\n');
  return [
    `${call.action} on ${call.resource}`,
    args === '' ? '  (no arguments)' : args,
    `for service ${call.audience}`,
    `by holder ${call.holder}`,
    `under mandate ${call.mandate}`,
  ].join('\n');
}

/** An approval whose signature, shape and lifetime held; its bindings are checked after. */
export interface ReadApproval {
  /** Principal id of the approver's key. */
  readonly approver: string;
  readonly approverKey: PublicJwk;
  readonly alg: SigningAlg;
  readonly claims: ApprovalClaims;
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** What reading an approval needs. */
export interface ApprovalContext {
  /** The hop denials name (the last block's). */
  readonly hop: number;
  readonly algorithms: readonly SigningAlg[];
}

/** A coded approval failure (check `authorize`). */
export function approvalDenial(
  code: MandateErrorCode,
  hop: number,
  message: string,
  detail: Record<string, unknown> = {},
): never {
  throw new MandateError(code, message, { check: 'authorize', hop, detail });
}

/**
 * Parse an approval and read its signer, without verifying its signature yet: shape, `typ`,
 * algorithm and key first, so that the caller can refuse a non-approver before any crypto.
 * Throws `MANDATE_APPROVAL_INVALID` (check `authorize`).
 */
export function readApproval(value: unknown, index: number, ctx: ApprovalContext): ReadApproval {
  const path = `approvals.${index}`;
  const invalid = (message: string, at = path): never =>
    approvalDenial('MANDATE_APPROVAL_INVALID', ctx.hop, `approval ${index}: ${message}`, {
      path: at,
    });
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_APPROVAL_LENGTH) {
    invalid(`must be a compact JWS of at most ${MAX_APPROVAL_LENGTH} characters`);
  }
  let jws;
  try {
    jws = parseCompactJws(value as string, {
      label: path,
      check: 'authorize',
      hop: ctx.hop,
      extraHeaders: ['jwk'],
      expect: { typs: [TYP.approval], what: 'an approval' },
    });
  } catch (error) {
    return invalid(error instanceof Error ? error.message : 'malformed');
  }
  let key: PublicJwk;
  try {
    key = parsePublicJwk(jws.header['jwk'], 'authorize', ctx.hop, `${path}.header.jwk`);
  } catch {
    return invalid('header.jwk must be an Ed25519 or P-256 public key', `${path}.header.jwk`);
  }
  const alg = algForJwk(key);
  if (jws.header.alg !== alg || !ctx.algorithms.includes(alg)) {
    invalid('algorithm not allowed', `${path}.header.alg`);
  }
  const parsed = approvalClaims().safeParse(jws.payload);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, path);
    return invalid(issue.message.slice(path.length + 2), issue.path);
  }
  return {
    approver: thumbprintUriSync(key),
    approverKey: key,
    alg,
    claims: parsed.data,
    signingInput: jws.signingInput,
    signature: jws.signature,
  };
}

/** Verify an approval's signature with its (already accepted) approver's key. */
export function approvalSignatureValid(read: ReadApproval, key: KeyObject): boolean {
  return verifyJwsSignature(read.alg, key, read.signingInput, read.signature);
}
