/**
 * The typed facade over biscuit-wasm 0.6.0: what its classes accept and return, and what its
 * errors look like. Types only, plus {@link biscuitErrorKind}; nothing here loads or runs wasm.
 *
 * The upstream `module/biscuit.d.ts` uses `any` for every JS value crossing the boundary and
 * declares `AuthorizerBuilder` twice; these interfaces say what 0.6.0 actually accepts and returns
 * (checked against its Rust source and by running it).
 *
 * @module
 */

/** Signature algorithm ids of biscuit-wasm (`SignatureAlgorithm.Ed25519` = 0). */
export type SignatureAlgorithmId = 0 | 1;

/** Anything biscuit-wasm hands out: it owns memory inside the wasm instance until freed. */
export interface WasmObject {
  /** Releases the wasm-side memory. Using the object afterwards throws. */
  free(): void;
}

/**
 * A Datalog term passed as a parameter. Anything else (a float, `null`, a function, an object with
 * another key) makes `addCodeWithParameters` panic inside wasm, because 0.6.0 `unwrap()`s the
 * deserialization (src/builder.rs:124 and :237); `Fact#set` and friends return an error instead.
 */
export type BiscuitTerm =
  | string
  | boolean
  | number
  | { readonly date: string }
  | { readonly bytes: string }
  | { readonly set: readonly BiscuitTerm[] }
  | readonly BiscuitTerm[];

/** Public-key parameters for `trusting {name}` scopes: `"ed25519/<hex>"` or `"secp256r1/<hex>"`. */
export type BiscuitKeyParameter = string;

/**
 * Run limits for `authorizeWithLimits` / `queryWithLimits`. The wire names are biscuit-wasm's own;
 * note `max_time_micro` (microseconds): an unknown field such as `max_time` is silently ignored and
 * the 20 ms default applies. Omitted fields take biscuit-auth's defaults (1000 facts, 100 iterations).
 */
export interface BiscuitRunLimits {
  readonly max_facts?: number | bigint;
  readonly max_iterations?: number | bigint;
  readonly max_time_micro?: number | bigint;
}

/** A Datalog fact (builder form). */
export interface WasmFact extends WasmObject {
  unboundParameters(): string[];
  set(name: string, value: BiscuitTerm): void;
  /** The fact's terms as JS values. */
  terms(): unknown[];
  toString(): string;
}

/** A Datalog rule, check or policy (builder form); all three share this shape. */
export interface WasmParameterized extends WasmObject {
  unboundParameters(): string[];
  unboundScopeParameters(): string[];
  set(name: string, value: BiscuitTerm): void;
  setScope(name: string, value: BiscuitKeyParameter): void;
  toString(): string;
}
/** A Datalog rule. */
export type WasmRule = WasmParameterized;
/** A Datalog check. */
export type WasmCheck = WasmParameterized;
/** An authorizer policy. */
export type WasmPolicy = WasmParameterized;

/** Datalog code sink shared by the token, block and authorizer builders. */
export interface WasmCodeBuilder extends WasmObject {
  addFact(fact: WasmFact): void;
  addRule(rule: WasmRule): void;
  addCheck(check: WasmCheck): void;
  addCode(source: string): void;
  addCodeWithParameters(
    source: string,
    parameters: Readonly<Record<string, BiscuitTerm>>,
    scopeParameters: Readonly<Record<string, BiscuitKeyParameter>>,
  ): void;
  toString(): string;
}

/** Builds the authority block of a new token. `build` consumes the builder. */
export interface WasmBiscuitBuilder extends WasmCodeBuilder {
  build(root: WasmPrivateKey): WasmBiscuit;
  merge(other: WasmBlockBuilder): void;
  setRootKeyId(rootKeyId: number): void;
}

/** Builds an attenuation block. `addFact`/`addRule`/`addCheck` consume their argument here. */
export type WasmBlockBuilder = WasmCodeBuilder;

/** A parsed (and, via `fromBytes`/`fromBase64`, signature-verified) token. */
export interface WasmBiscuit extends WasmObject {
  /** Appends a first-party block signed with the token's next key (a fresh ephemeral key follows). */
  appendBlock(block: WasmBlockBuilder): WasmBiscuit;
  /** An authorizer holding only the token's blocks (no authorizer code). */
  getAuthorizer(): WasmAuthorizer;
  sealToken(): WasmBiscuit;
  toBytes(): Uint8Array;
  toBase64(): string;
  /** One hex string per block, in block order. */
  getRevocationIdentifiers(): string[];
  countBlocks(): number;
  /** The block's Datalog as text (identical to the specification samples' `code`). */
  getBlockSource(index: number): string;
  getThirdPartyRequest(): WasmThirdPartyRequest;
  appendThirdPartyBlock(externalKey: WasmPublicKey, block: WasmThirdPartyBlock): WasmBiscuit;
  toString(): string;
}

/** Authorizer code waiting for a token; `buildAuthenticated` consumes it. */
export interface WasmAuthorizerBuilder extends WasmCodeBuilder {
  buildAuthenticated(token: WasmBiscuit): WasmAuthorizer;
  buildUnauthenticated(): WasmAuthorizer;
  addPolicy(policy: WasmPolicy): void;
  merge(other: WasmAuthorizerBuilder): void;
  mergeBlock(other: WasmBlockBuilder): void;
}

/** A token plus authorizer code, ready to run. */
export interface WasmAuthorizer extends WasmObject {
  /** Runs with a 20 ms time limit — too short for the first run in a fresh process; prefer limits. */
  authorize(): number;
  /** Returns the index of the matching allow policy; throws the Biscuit error object otherwise. */
  authorizeWithLimits(limits: BiscuitRunLimits): number;
  query(rule: WasmRule): WasmFact[];
  queryWithLimits(rule: WasmRule, limits: BiscuitRunLimits): WasmFact[];
  toString(): string;
}

/** A key pair. Note: 0.6.0 seeds its RNG with 8 random bytes; import keys instead of generating. */
export interface WasmKeyPair extends WasmObject {
  getPublicKey(): WasmPublicKey;
  getPrivateKey(): WasmPrivateKey;
}

/** A public key. */
export interface WasmPublicKey extends WasmObject {
  /** Writes the raw key into `out` (32 bytes for Ed25519). */
  toBytes(out: Uint8Array): void;
  /** `"ed25519/<hex>"`. */
  toString(): string;
  /** `"ed25519/<hex>"`, usable as a scope parameter. */
  toDatalogParameter(): string;
}

/** A private key. */
export interface WasmPrivateKey extends WasmObject {
  toBytes(out: Uint8Array): void;
  /** `"ed25519-private/<hex>"`. */
  toString(): string;
}

/** The request a token holder sends to a third party so it can sign a block for that token. */
export interface WasmThirdPartyRequest extends WasmObject {
  toBytes(): Uint8Array;
  toBase64(): string;
  /** Signs `blockBuilder` with the third party's key. Consumes the request. */
  createBlock(privateKey: WasmPrivateKey, blockBuilder: WasmBlockBuilder): WasmThirdPartyBlock;
}

/** A block signed by a third party, to be appended with `appendThirdPartyBlock`. */
export interface WasmThirdPartyBlock extends WasmObject {
  toBytes(): Uint8Array;
  /** Consumes the block. */
  toBase64(): string;
}

/** Provider of the root key by `root_key_id`. Must return a key and never throw (see below). */
export type RootKeyProvider = (rootKeyId: number | null) => WasmPublicKey;

/** The classes biscuit-wasm 0.6.0 exports, as this library uses them. */
export interface BiscuitApi {
  readonly SignatureAlgorithm: { readonly Ed25519: 0; readonly Secp256r1: 1 };
  readonly Biscuit: {
    builder(): WasmBiscuitBuilder;
    block_builder(): WasmBlockBuilder;
    fromBytes(data: Uint8Array, root: WasmPublicKey): WasmBiscuit;
    fromBase64(data: string, root: WasmPublicKey): WasmBiscuit;
    /**
     * Parses with a root key chosen by `root_key_id`. 0.6.0 `unwrap()`s the provider's result: a
     * provider that throws or returns anything but a `PublicKey` panics the instance (src/lib.rs:324).
     * The returned key is consumed.
     */
    fromBytesWithProvider(data: Uint8Array, provider: RootKeyProvider): WasmBiscuit;
    fromBase64WithProvider(data: string, provider: RootKeyProvider): WasmBiscuit;
  };
  readonly BiscuitBuilder: new () => WasmBiscuitBuilder;
  readonly BlockBuilder: new () => WasmBlockBuilder;
  readonly AuthorizerBuilder: new () => WasmAuthorizerBuilder;
  readonly KeyPair: {
    new (algorithm: SignatureAlgorithmId): WasmKeyPair;
    fromPrivateKey(key: WasmPrivateKey): WasmKeyPair;
  };
  readonly PublicKey: {
    fromBytes(data: Uint8Array, algorithm: SignatureAlgorithmId): WasmPublicKey;
    /** Bare hex (no `ed25519/` prefix). */
    fromString(hex: string, algorithm: SignatureAlgorithmId): WasmPublicKey;
  };
  readonly PrivateKey: {
    fromBytes(data: Uint8Array, algorithm: SignatureAlgorithmId): WasmPrivateKey;
    /** Prefixed hex: `"ed25519-private/<hex>"`. */
    fromString(data: string): WasmPrivateKey;
  };
  readonly Fact: { fromString(source: string): WasmFact };
  readonly Rule: { fromString(source: string): WasmRule };
  readonly Check: { fromString(source: string): WasmCheck };
  readonly Policy: { fromString(source: string): WasmPolicy };
  readonly ThirdPartyRequest: {
    fromBytes(data: Uint8Array): WasmThirdPartyRequest;
    fromBase64(data: string): WasmThirdPartyRequest;
  };
  /**
   * Upstream bug in 0.6.0: these deserialize a *request*, not a block, so a third-party block cannot
   * cross a serialization boundary; create it and append it in the same process.
   */
  readonly ThirdPartyBlock: {
    fromBytes(data: Uint8Array): WasmThirdPartyRequest;
    fromBase64(data: string): WasmThirdPartyRequest;
  };
}

/**
 * The kind of an error thrown by biscuit-wasm: the variant name of its serialized Rust error
 * (`Format`, `FailedLogic`, `Execution`, `RunLimit`, `Language`, `InvalidKey`, ...), or `undefined`
 * for anything else (a JS `Error`, a `MandateError`).
 */
export function biscuitErrorKind(error: unknown): string | undefined {
  if (typeof error === 'string') return error; // unit variants serialize as bare strings
  if (typeof error !== 'object' || error === null || error instanceof Error) return undefined;
  const keys = Object.keys(error);
  return keys.length === 1 ? keys[0] : undefined;
}

/** The names of the classes {@link BiscuitApi} holds, as the glue module exports them. */
export const BISCUIT_API_NAMES = [
  'SignatureAlgorithm',
  'Biscuit',
  'BiscuitBuilder',
  'BlockBuilder',
  'AuthorizerBuilder',
  'KeyPair',
  'PublicKey',
  'PrivateKey',
  'Fact',
  'Rule',
  'Check',
  'Policy',
  'ThirdPartyRequest',
  'ThirdPartyBlock',
] as const satisfies readonly (keyof BiscuitApi)[];
