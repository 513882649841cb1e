/**
 * The verifier's side of signed revocation lists: a `RevocationStore` that keeps, per trust
 * anchor, a copy of the list that anchor publishes, fetched from the anchor's configured URL,
 * verified against that anchor's keys only, refreshed in the background.
 */
import { parseCompactJws } from '../../core/jws/compact.js';
import { verifyJwsSignature } from '../../core/jws/signature.js';
import { readBounded } from '../../core/bounded-read.js';
import { resolveAnchors, type ResolvedAnchor, type TrustAnchor } from '../../identity/anchors.js';
import { KeyCache } from '../../identity/jwk.js';
import { StoreUnavailableError, type StoreUnavailableReason } from '../errors.js';
import type { RevocationContext, RevocationStore } from '../types.js';
import { settle } from '../settle.js';
import { assertId, assertIds } from '../validate.js';
import {
  REVOCATION_LIST_ALGS,
  REVOCATION_LIST_MEDIA_TYPE,
  REVOCATION_LIST_TYP,
  etagOf,
  revocationListPayloadSchema,
  type RevocationListPayload,
} from './format.js';
import { deepFreeze } from '../../core/freeze.js';

/** A trust anchor, as the verifier configures it, with the URL its revocation list is served at. */
export type RevocationListAnchor = TrustAnchor & {
  /** Where the anchor serves its signed revocation list (http or https). */
  readonly revocationListUrl: string;
};

/** Options of `RevocationListStore`. */
export interface RevocationListStoreOptions {
  /**
   * The anchors whose lists this store follows: the same objects as the verifier's
   * `trustAnchors` (a list is verified with its anchor's keys only), each with its
   * `revocationListUrl`. A chain whose anchor is not here is denied (`no-list`).
   */
  readonly anchors: readonly RevocationListAnchor[];
  /** Seconds between background refreshes (default 30). */
  readonly refreshSeconds?: number;
  /**
   * Most seconds a copy may have aged, counted from the list's signed `iat`, before every
   * check of its anchor's chains fails closed (default 300). Must exceed the publisher's
   * `reissueSeconds` plus `refreshSeconds`.
   */
  readonly maxStaleness?: number;
  /** Seconds an entry is honoured after the revoked block's expiry (default 300). */
  readonly graceSeconds?: number;
  /** Bound in milliseconds on one fetch (default 5000). */
  readonly timeoutMs?: number;
  /** Largest list body accepted, in bytes (default 32 MiB). */
  readonly maxBytes?: number;
  /** Refresh in the background on an unref'd timer (default true); else call `refresh()`. */
  readonly autoRefresh?: boolean;
  /** A fetch implementation (tests, proxies). Redirects are never followed. */
  readonly fetch?: typeof fetch;
  /** Clock in seconds since the epoch (injected for tests). */
  readonly now?: () => number;
  /** Told about every refresh: its anchor and, on failure, why (for logs and metrics). */
  readonly onRefresh?: (event: RevocationListRefresh) => void;
}

/** The outcome of one refresh of one anchor's list. */
export interface RevocationListRefresh {
  readonly anchor: string;
  readonly ok: boolean;
  /** The version held after the refresh. */
  readonly version?: number;
  /** Why the refresh failed. */
  readonly reason?: StoreUnavailableReason;
}

/** What the store holds for one anchor (for health checks). */
export interface RevocationListStatus {
  readonly version?: number;
  readonly issuedAt?: number;
  readonly entries: number;
  /** Why the last refresh failed, when it did. */
  readonly failure?: StoreUnavailableReason;
}

interface Held {
  version: number;
  issuedAt: number;
  /** Block id to the block's expiry. */
  readonly entries: Map<string, number>;
}

interface Source {
  readonly anchor: ResolvedAnchor;
  readonly url: URL;
  held?: Held;
  failure?: StoreUnavailableError;
  inFlight?: Promise<void>;
}

const DEFAULTS = {
  refreshSeconds: 30,
  maxStaleness: 300,
  graceSeconds: 300,
  timeoutMs: 5000,
  maxBytes: 32 * 1024 * 1024,
} as const;
/** Seconds a list's `iat` may lie ahead of this clock. */
const FUTURE_SKEW = 60;
const wallClock = (): number => Date.now() / 1000;

/** A refresh problem with its reason. */
function problem(reason: StoreUnavailableReason, message: string, cause?: unknown): never {
  throw new StoreUnavailableError(message, reason, cause === undefined ? undefined : { cause });
}

function positive(value: unknown, label: string, fallback: number): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
    throw new RangeError(`${label} must be a positive number`);
  }
  return n;
}

/**
 * Revocations read from each trust anchor's signed revocation list, for verifiers that share
 * no database with the issuer. A list revokes blocks only under its own anchor's roots: the
 * verifier passes the chain's anchor (`RevocationContext`) and only that anchor's list is
 * consulted.
 *
 * A fetched list is accepted only if it is a compact JWS with `typ`
 * `mandate-revocation-list+jwt`, an allowed algorithm (Ed25519, ES256), a payload that matches
 * the strict schema, `iss` equal to the anchor's id, a signature by one of that anchor's keys
 * (`publicJwk`, `jwksUri` — a rotated key is found by `kid` — or `keys`), a version no lower
 * than the one held (and, at the same version, an `iat` no earlier), and an `iat` not in the
 * future. A delta (`since` > 0) is applied only on top of a held version at least `since`.
 *
 * A check fails closed (`StoreUnavailableError`, so the verifier denies with
 * `MANDATE_STORE_UNAVAILABLE` and `detail.reason`) when no list was ever accepted for the
 * anchor, or when the copy is older than `maxStaleness`. The reason is then why the copy could
 * not be renewed: `unreachable`, `malformed`, `forged`, `rollback`, `foreign-issuer`, or
 * `stale` when the publisher keeps serving an old list. Until then a refused or failed fetch
 * leaves the copy in use: an attacker who can tamper with the fetch can also drop it, and
 * `maxStaleness` bounds both the same way.
 *
 * Not handled here: the publisher's availability and its keys' safety; `revoke` (a verifier
 * cannot add to another party's list: use `RevocationListPublisher` at the issuer).
 */
export class RevocationListStore implements RevocationStore {
  readonly #sources = new Map<string, Source>();
  readonly #refreshMs: number;
  readonly #maxStaleness: number;
  readonly #grace: number;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #onRefresh: ((event: RevocationListRefresh) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: RevocationListStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('options must be an object');
    }
    const anchors = options.anchors;
    // Not Array.isArray: it would widen the element type to `any`.
    if (!(anchors instanceof Array) || anchors.length === 0) {
      throw new TypeError(
        'anchors must be a non-empty array of trust anchors with revocationListUrl',
      );
    }
    const resolved = resolveAnchors(anchors, new KeyCache(64));
    for (const anchor of anchors) {
      let url: URL;
      try {
        url = new URL(anchor.revocationListUrl);
      } catch {
        throw new TypeError(`trust anchor ${anchor.id}: revocationListUrl must be an http(s) URL`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new TypeError(`trust anchor ${anchor.id}: revocationListUrl must be an http(s) URL`);
      }
      const found = resolved.get(anchor.id);
      if (found === undefined) throw new TypeError(`trust anchor ${anchor.id} did not resolve`);
      this.#sources.set(anchor.id, { anchor: found, url });
    }
    this.#refreshMs =
      positive(options.refreshSeconds, 'refreshSeconds', DEFAULTS.refreshSeconds) * 1000;
    this.#maxStaleness = positive(options.maxStaleness, 'maxStaleness', DEFAULTS.maxStaleness);
    const grace = options.graceSeconds ?? DEFAULTS.graceSeconds;
    if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0) {
      throw new RangeError('graceSeconds must be a non-negative number');
    }
    this.#grace = grace;
    this.#timeoutMs = positive(options.timeoutMs, 'timeoutMs', DEFAULTS.timeoutMs);
    this.#maxBytes = positive(options.maxBytes, 'maxBytes', DEFAULTS.maxBytes);
    for (const [name, fn] of [
      ['fetch', options.fetch],
      ['now', options.now],
      ['onRefresh', options.onRefresh],
    ] as const) {
      if (fn !== undefined && typeof fn !== 'function')
        throw new TypeError(`${name} must be a function`);
    }
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? wallClock;
    this.#onRefresh = options.onRefresh;
    if (options.autoRefresh !== false) {
      void this.refresh();
      this.#timer = setInterval(() => void this.refresh(), this.#refreshMs);
      // A store must never keep its process alive.
      this.#timer.unref();
    }
  }

  /**
   * Fetches every anchor's list now (a refresh already under way is joined). Never rejects:
   * a failure is kept as the reason a later check gives, once the copy is too old.
   */
  async refresh(): Promise<void> {
    await Promise.all(
      [...this.#sources.values()].map((source) => {
        source.inFlight ??= this.#refreshOne(source).finally(() => {
          delete source.inFlight;
        });
        return source.inFlight;
      }),
    );
  }

  /** Whether block `id` is revoked by the list of `context.anchor`. */
  isRevoked(id: string, context?: RevocationContext): Promise<boolean> {
    return settle(() => {
      assertId(id);
      return this.#live(this.#usable(context), id);
    });
  }

  /** The first of `ids` revoked by the list of `context.anchor`, or `undefined`. */
  firstRevoked(ids: readonly string[], context?: RevocationContext): Promise<string | undefined> {
    return settle(() => {
      assertIds(ids);
      const entries = this.#usable(context);
      return ids.find((id) => this.#live(entries, id));
    });
  }

  /** Refuses: a verifier cannot add to an issuer's list (revoke at its publisher). */
  revoke(): Promise<void> {
    return Promise.reject(
      new TypeError(
        "a signed revocation list is read-only at the verifier: revoke with the issuer's RevocationListPublisher",
      ),
    );
  }

  /** What is held for `anchor` (health checks, metrics). */
  status(anchor: string): RevocationListStatus | undefined {
    const source = this.#sources.get(anchor);
    if (source === undefined) return undefined;
    return {
      entries: source.held?.entries.size ?? 0,
      ...(source.held === undefined
        ? {}
        : { version: source.held.version, issuedAt: source.held.issuedAt }),
      ...(source.failure === undefined ? {} : { failure: source.failure.reason }),
    };
  }

  /** Stops the background refresh; later checks fail closed. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    return Promise.resolve();
  }

  #usable(context: RevocationContext | undefined): Map<string, number> {
    if (this.#closed) problem('closed', 'the revocation list store is closed');
    const anchor = context?.anchor;
    if (typeof anchor !== 'string') {
      throw new TypeError("a revocation list lookup needs the chain's anchor ({ anchor })");
    }
    const source = this.#sources.get(anchor);
    if (source === undefined) {
      problem('no-list', `no revocation list is configured for anchor ${anchor}`);
    }
    const held = source.held;
    if (held === undefined) {
      throw (
        source.failure ??
        new StoreUnavailableError(`no revocation list of ${anchor} fetched yet`, 'unreachable')
      );
    }
    const age = this.#now() - held.issuedAt;
    if (age > this.#maxStaleness) {
      problem(
        source.failure?.reason ?? 'stale',
        `the revocation list of ${anchor} is ${Math.floor(age)} s old (at most ${this.#maxStaleness} s)`,
        source.failure,
      );
    }
    return held.entries;
  }

  #live(entries: Map<string, number>, id: string): boolean {
    const exp = entries.get(id);
    return exp !== undefined && exp + this.#grace > this.#now();
  }

  async #refreshOne(source: Source, full = false): Promise<void> {
    const id = source.anchor.id;
    try {
      const held = full ? undefined : source.held;
      const url = new URL(source.url);
      const headers: Record<string, string> = { accept: REVOCATION_LIST_MEDIA_TYPE };
      if (held !== undefined) {
        url.searchParams.set('since', String(held.version));
        headers['if-none-match'] = etagOf(held.version, held.issuedAt);
      }
      let response: Response;
      try {
        response = await this.#fetch(url, {
          headers,
          redirect: 'error',
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (cause) {
        problem('unreachable', `the revocation list of ${id} could not be fetched`, cause);
      }
      if (response.status === 304 && held !== undefined) {
        await response.body?.cancel();
        delete source.failure;
        this.#report({ anchor: id, ok: true, version: held.version });
        return;
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        problem('unreachable', `the revocation list of ${id} answered HTTP ${response.status}`);
      }
      const body = await readBounded(
        response.body,
        this.#maxBytes,
        () => new StoreUnavailableError(`the revocation list of ${id} is too large`, 'malformed'),
      );
      const payload = await this.#verified(source.anchor, body.toString('utf8'));
      if (payload.since > 0 && (source.held === undefined || payload.since > source.held.version)) {
        // A delta from a version this store does not hold: ask for the whole list once.
        if (!full) return await this.#refreshOne(source, true);
        problem('malformed', `the revocation list of ${id} sent a delta for a full request`);
      }
      this.#apply(source, payload);
      delete source.failure;
      this.#report({ anchor: id, ok: true, version: payload.ver });
    } catch (error) {
      const failure =
        error instanceof StoreUnavailableError
          ? error
          : new StoreUnavailableError(`the revocation list of ${id} failed`, 'unreachable', {
              cause: error,
            });
      source.failure = failure;
      this.#report({ anchor: id, ok: false, reason: failure.reason });
    }
  }

  #report(event: RevocationListRefresh): void {
    try {
      this.#onRefresh?.(event);
    } catch {
      // A throwing logger must not stop the refreshes (nor surface as an unhandled rejection).
    }
  }

  /** Parses and verifies a list against `anchor` only; throws with the reason. */
  async #verified(anchor: ResolvedAnchor, text: string): Promise<RevocationListPayload> {
    const id = anchor.id;
    let jws;
    try {
      jws = parseCompactJws(text.trim(), {
        label: 'revocation list',
        check: 'revocation',
        extraHeaders: ['kid'],
      });
    } catch (cause) {
      problem('malformed', `the revocation list of ${id} is not a compact JWS`, cause);
    }
    const { alg, typ, kid } = jws.header;
    if (typ !== REVOCATION_LIST_TYP) {
      problem('malformed', `the revocation list of ${id} has typ ${String(typ).slice(0, 64)}`);
    }
    if (!REVOCATION_LIST_ALGS.includes(alg as (typeof REVOCATION_LIST_ALGS)[number])) {
      problem('forged', `the revocation list of ${id} uses an algorithm that is not allowed`);
    }
    if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)) {
      problem('malformed', `the revocation list of ${id} has a bad kid`);
    }
    const parsed = revocationListPayloadSchema.safeParse(jws.payload);
    if (!parsed.success) {
      problem('malformed', `the revocation list of ${id} does not match the list schema`);
    }
    const payload = parsed.data;
    // Refused before any key is looked up: a list names its issuer, and only one is welcome.
    if (payload.iss !== id) {
      problem('foreign-issuer', `the list fetched for ${id} is issued by another issuer`);
    }
    const signingAlg = alg as (typeof REVOCATION_LIST_ALGS)[number];
    let key;
    try {
      key = await anchor.key({ alg: signingAlg, ...(typeof kid === 'string' ? { kid } : {}) }, 0);
    } catch (cause) {
      problem('forged', `no key of ${id} matches its revocation list's signature`, cause);
    }
    if (!verifyJwsSignature(signingAlg, key, jws.signingInput, jws.signature)) {
      problem('forged', `the revocation list of ${id} does not verify with ${id}'s key`);
    }
    if (payload.iat > this.#now() + FUTURE_SKEW) {
      problem('malformed', `the revocation list of ${id} is issued in the future`);
    }
    return payload;
  }

  /** Takes a verified list in: never a lower version, never an earlier issue; additive. */
  #apply(source: Source, payload: RevocationListPayload): void {
    const held = source.held;
    if (
      held !== undefined &&
      (payload.ver < held.version || (payload.ver === held.version && payload.iat < held.issuedAt))
    ) {
      problem(
        'rollback',
        `the revocation list of ${source.anchor.id} went back from version ${held.version} to ${payload.ver}`,
      );
    }
    const entries = held?.entries ?? new Map<string, number>();
    const now = this.#now();
    for (const [id, exp] of payload.revoked) {
      const before = entries.get(id);
      if (before === undefined || before < exp) entries.set(id, exp);
    }
    // Entries leave with their blocks (plus the grace): the copy stays as small as the list.
    if (payload.since === 0) {
      for (const [id, exp] of entries) if (exp + this.#grace <= now) entries.delete(id);
    }
    source.held = { version: payload.ver, issuedAt: payload.iat, entries };
  }
}

deepFreeze(RevocationListStore);
