/**
 * The semantic model shared by every encoding (DESIGN.md section 2).
 */
import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

/** A JSON value as it appears in arguments and constraints. */
export type Json =
  null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/**
 * A constraint on one argument, in its wire form: the core constraint types of the IETF
 * AAT draft (`constraint_type`) plus Mandate's `glob`.
 */
export type Constraint =
  | { readonly constraint_type: 'exact'; readonly value: Json }
  | { readonly constraint_type: 'one_of'; readonly values: readonly Json[] }
  | { readonly constraint_type: 'not_one_of'; readonly excluded: readonly Json[] }
  | {
      readonly constraint_type: 'range';
      readonly min?: number;
      readonly max?: number;
      readonly min_inclusive?: boolean;
      readonly max_inclusive?: boolean;
    }
  | { readonly constraint_type: 'contains'; readonly required: readonly Json[] }
  | { readonly constraint_type: 'subset'; readonly allowed: readonly Json[] }
  | { readonly constraint_type: 'wildcard' }
  | { readonly constraint_type: 'all'; readonly constraints: readonly Constraint[] }
  | { readonly constraint_type: 'any'; readonly constraints: readonly Constraint[] }
  | { readonly constraint_type: 'glob'; readonly pattern: string };

export type ConstraintType = Constraint['constraint_type'];

/**
 * The terse forms a TypeScript caller may write; each maps onto a wire constraint:
 * `{ eq }` -> exact, `{ in }` -> one_of, `{ min, max }` -> range (inclusive), `{ glob }` -> glob.
 */
export type ConstraintInput =
  | Constraint
  | { readonly eq: Json }
  | { readonly in: readonly Json[] }
  | { readonly min?: number; readonly max?: number }
  | { readonly glob: string };

/**
 * A capability as callers write it. `constraints` maps argument names to constraints; an
 * entry marked `optional: true` may be absent from a request (as if listed in `optional`),
 * and the reserved key `"*"`, whose value must be `{ constraint_type: 'wildcard' }`, allows
 * every argument the map does not name (AAT section 3.3).
 */
export interface CapabilityInput {
  readonly resource: string;
  readonly actions: readonly string[];
  readonly constraints?: Readonly<
    Record<string, ConstraintInput & { readonly optional?: boolean }>
  >;
  /** Constrained arguments that may be absent from a request. */
  readonly optional?: readonly string[];
}

/**
 * A capability in normal form: sorted, de-duplicated actions; wire-form constraints (`"*"`
 * kept only beside named arguments); optional arguments listed in `optional`.
 */
export interface Capability {
  readonly resource: string;
  readonly actions: readonly string[];
  readonly constraints?: Readonly<Record<string, Constraint>>;
  readonly optional?: readonly string[];
}

/** What a request asks to do. */
export interface Action {
  readonly resource: string;
  readonly action: string;
  readonly args?: Readonly<Record<string, Json>>;
}

/** What the proof is bound to. */
export type ProofRequest =
  | { readonly method: string; readonly url: string }
  | { readonly tool: string; readonly args: Readonly<Record<string, Json>> };

/**
 * A token's encoding: Mandate's JWS chain, Biscuit, or an AAT chain
 * (draft-niyikiza-oauth-attenuating-agent-tokens-02, docs/format.md).
 */
export type Format = 'jws' | 'biscuit' | 'aat';

/** A key pair as `generateKeyPair` returns it; anything that signs takes one. */
export interface KeyPair {
  readonly privateKey: KeyObject | CryptoKey | JWK;
  readonly publicJwk: JWK;
  /** RFC 9278 thumbprint URI of `publicJwk`. */
  readonly id: string;
}

/** One block of a chain, as decoded (root first). */
export interface BlockView {
  readonly id: string;
  /** The root's issuer name, or the parent holder's principal id. */
  readonly issuer: string;
  /** Principal id (RFC 9278 thumbprint URI) of this block's holder. */
  readonly holder: string;
  readonly holderJwk: JWK;
  readonly subject: string;
  readonly capabilities: readonly Capability[];
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly notBefore?: number;
  readonly audience?: readonly string[];
  readonly depth: number;
  readonly maxDepth: number;
  readonly purpose?: string;
}

/**
 * The brand of a `Mandate`: a type-only, module-private symbol, so no code outside this
 * package can write a `Mandate`, and inside it only `mandateOf` (format/parse.ts) makes one,
 * for a chain `mint` or `delegate` has just built (a lint rule forbids `as Mandate`
 * elsewhere). An `UnverifiedMandate` lacks it, so it is assignable to nothing that takes a
 * `Mandate`.
 */
declare const MADE_BY_MANDATE: unique symbol;

/**
 * A mandate that has been decoded but not verified (`parseMandate`): its fields say what the
 * token claims, nothing more. It is not a `Mandate`: no function that takes a `Mandate`
 * accepts it (pass `token`, which every such function re-decodes, or verify it).
 */
export interface UnverifiedMandate {
  readonly token: string;
  readonly format: Format;
  readonly subject: string;
  /** Principal id of the last holder. */
  readonly holder: string;
  readonly blocks: readonly BlockView[];
  readonly verified: false;
}

/**
 * A mandate as `mint` and `delegate` return it: the chain this process has just signed, with
 * the same fields as an `UnverifiedMandate` (without `verified`). Only `mint` and `delegate`
 * make one.
 */
export interface Mandate extends Omit<UnverifiedMandate, 'verified'> {
  readonly [MADE_BY_MANDATE]: true;
}

/** Wherever a mandate is taken: the `Mandate` or its `token` string. */
export type MandateLike = Mandate | string;
