/**
 * The issuer's side of signed revocation lists: it holds the revocations of one trust anchor,
 * signs the list (full, or a delta since a version the reader holds) with the anchor's key,
 * and serves it over HTTP with an `ETag`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { KeyPair } from '../../core/types.js';
import { prepareSigner } from '../../identity/keys.js';
import type { RevocationStore } from '../types.js';
import { assertExpiresAt, assertId, assertIds } from '../validate.js';
import { MAX_LIST_ENTRIES, REVOCATION_LIST_MEDIA_TYPE, etagOf } from './format.js';
import type { RevocationListPayload } from './format.js';
import { signRevocationList } from './sign.js';
import { readStateFile, revokeInStateFile, type RevocationListState } from './state.js';
import { deepFreeze } from '../../core/freeze.js';

/** Options of `RevocationListPublisher`. */
export interface RevocationListPublisherOptions {
  /** The trust anchor's key pair: the one its roots are signed with. */
  readonly issuer: KeyPair;
  /** The anchor's id, as verifiers configure it (and as its roots carry it). */
  readonly issuerId: string;
  /** `kid` of the key in the anchor's JWKS, when verifiers resolve its keys from one. */
  readonly kid?: string;
  /**
   * Seconds after which the list is signed again with a fresh `iat` even when nothing
   * changed (default 60). Verifiers measure their copy's age from `iat`, so their
   * `maxStaleness` must exceed this plus their refresh interval.
   */
  readonly reissueSeconds?: number;
  /** Seconds an entry stays on the list after the revoked block's expiry (default 300). */
  readonly graceSeconds?: number;
  /** Clock in seconds since the epoch (injected for tests). */
  readonly now?: () => number;
  /** Revocations to start from (a `snapshot()` kept by the caller). */
  readonly state?: RevocationListState;
  /**
   * A JSON state file shared with other writers (`mandate revoke --list-state FILE`): read
   * again whenever it changed, and written by `revoke` under a lock file. Without it the
   * state lives in this object only; keep `snapshot()` if it must survive a restart (a
   * publisher that restarts at a lower version is refused by every verifier: a rollback).
   */
  readonly stateFile?: string;
}

/** A signed list as served. */
export interface SignedRevocationList {
  /** The compact JWS. */
  readonly jws: string;
  readonly version: number;
  readonly issuedAt: number;
  /** 0 for the full list, else the version this delta starts after. */
  readonly since: number;
  readonly etag: string;
}

/** An HTTP answer, independent of the server framework. */
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const DEFAULT_REISSUE_SECONDS = 60;
const DEFAULT_GRACE_SECONDS = 300;
const wallClock = (): number => Math.floor(Date.now() / 1000);

/**
 * Publishes one trust anchor's signed revocation list. `revoke(id, expiresAt)` adds an entry
 * and bumps the version; `list(since?)` signs the full list or a delta; `handler` (node:http)
 * and `fetchHandler` (Fetch API) serve it, answering `304 Not Modified` to a matching
 * `If-None-Match` and a delta to `?since=VERSION`. It is also a `RevocationStore`, so the
 * issuer's own verifiers can use it directly.
 *
 * Not handled here: authenticating who may call `revoke` (it is a library call; expose it only
 * to your operators), and keeping the state across restarts unless `state`/`stateFile` is used.
 */
export class RevocationListPublisher implements RevocationStore {
  /** The anchor's id: the `iss` of every list it signs. */
  readonly issuerId: string;
  #issuer: KeyPair;
  #kid: string | undefined;
  readonly #reissue: number;
  readonly #grace: number;
  readonly #now: () => number;
  readonly #stateFile: string | undefined;
  // 1 is the empty list: every revocation then makes a version no reader has seen.
  #version = 1;
  /** Block id to its expiry and the version that added (or last extended) it. */
  readonly #entries = new Map<string, { exp: number; ver: number }>();
  #signed: SignedRevocationList | undefined;
  #deltas = new Map<number, SignedRevocationList>();
  #fileStamp = '';

  constructor(options: RevocationListPublisherOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('options must be an object');
    }
    prepareSigner(options.issuer);
    if (typeof options.issuerId !== 'string' || options.issuerId.length === 0) {
      throw new TypeError('issuerId must be a non-empty string');
    }
    const reissue = options.reissueSeconds ?? DEFAULT_REISSUE_SECONDS;
    if (!Number.isSafeInteger(reissue) || reissue < 1) {
      throw new RangeError('reissueSeconds must be a positive integer');
    }
    const grace = options.graceSeconds ?? DEFAULT_GRACE_SECONDS;
    if (!Number.isSafeInteger(grace) || grace < 0) {
      throw new RangeError('graceSeconds must be a non-negative integer');
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new TypeError('now must be a function');
    }
    this.issuerId = options.issuerId;
    this.#issuer = options.issuer;
    this.#kid = options.kid;
    this.#reissue = reissue;
    this.#grace = grace;
    this.#now = options.now ?? wallClock;
    this.#stateFile = options.stateFile;
    if (options.state !== undefined) this.#merge(options.state);
  }

  /** The current version (1 before the first revocation). */
  get version(): number {
    return this.#version;
  }

  /**
   * Signs from now on with another key (a rotated anchor key); the next `list()` is signed
   * with it. Publish the new key in the anchor's JWKS first, under `kid`.
   */
  rotate(issuer: KeyPair, kid?: string): void {
    prepareSigner(issuer);
    this.#issuer = issuer;
    this.#kid = kid;
    this.#invalidate();
  }

  /**
   * Revokes block `id` until `expiresAt` (the block's own expiry, seconds since the epoch)
   * plus the grace. A list entry always expires with its block, so `expiresAt` is required.
   * Extending an entry's expiry bumps the version like a new entry; a shorter one is ignored.
   */
  async revoke(id: string, expiresAt?: number): Promise<void> {
    assertId(id);
    if (expiresAt === undefined) {
      throw new TypeError(
        "a revocation list entry needs the block's expiry (expiresAt): entries leave the list with their blocks",
      );
    }
    assertExpiresAt(expiresAt);
    const exp = Math.ceil(expiresAt);
    if (this.#stateFile !== undefined) {
      await revokeInStateFile(this.#stateFile, this.issuerId, id, exp);
      await this.#reload();
      return;
    }
    const held = this.#entries.get(id);
    if (held !== undefined && held.exp >= exp) return;
    if (held === undefined && this.#entries.size >= MAX_LIST_ENTRIES) {
      this.#prune();
      if (this.#entries.size >= MAX_LIST_ENTRIES) {
        throw new RangeError(`the revocation list is full (${MAX_LIST_ENTRIES} entries in force)`);
      }
    }
    this.#version += 1;
    this.#entries.set(id, { exp, ver: this.#version });
    this.#invalidate();
  }

  /** Whether `id` is on the list (and its block not long expired). */
  async isRevoked(id: string): Promise<boolean> {
    assertId(id);
    await this.#reload();
    return this.#live(id);
  }

  /** The first of `ids` on the list, or `undefined`. */
  async firstRevoked(ids: readonly string[]): Promise<string | undefined> {
    assertIds(ids);
    await this.#reload();
    return ids.find((id) => this.#live(id));
  }

  /** The state to keep across restarts (pass it back as `state`). */
  snapshot(): RevocationListState {
    return {
      iss: this.issuerId,
      version: this.#version,
      entries: [...this.#entries].map(([id, { exp, ver }]) => [id, exp, ver] as const),
    };
  }

  /**
   * The signed list: the full list, or with `since` (a version the reader holds) a delta of
   * the entries added after it. A `since` above the current version gets the full list (the
   * reader then sees a rollback and refuses it). Signed again once `reissueSeconds` passed.
   */
  async list(since?: number): Promise<SignedRevocationList> {
    await this.#reload();
    const now = this.#now();
    if (this.#signed === undefined || now - this.#signed.issuedAt >= this.#reissue) {
      this.#prune();
      this.#deltas = new Map();
      this.#signed = this.#sign(0, now);
    }
    const full = this.#signed;
    if (since === undefined || since <= 0 || since > this.#version) return full;
    let delta = this.#deltas.get(since);
    if (delta === undefined) {
      // Keep a handful: readers of one anchor sit at a few recent versions.
      if (this.#deltas.size >= 64) this.#deltas.clear();
      delta = this.#sign(since, full.issuedAt);
      this.#deltas.set(since, delta);
    }
    return delta;
  }

  /** A node:http request handler that serves the list (GET and HEAD). */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    this.#answer(req.method ?? 'GET', req.url ?? '/', req.headers['if-none-match']).then(
      ({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        // Never a half-written list: a failure to sign is a plain 500.
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('revocation list unavailable');
      },
    );
  };

  /** A Fetch-API handler (Hono, Deno, Bun, service workers) that serves the list. */
  readonly fetchHandler = async (request: Request): Promise<Response> => {
    const { status, headers, body } = await this.#answer(
      request.method,
      request.url,
      request.headers.get('if-none-match') ?? undefined,
    );
    const empty = status === 304 || request.method === 'HEAD';
    return new Response(empty ? null : body, { status, headers });
  };

  async #answer(method: string, url: string, ifNoneMatch: string | undefined): Promise<Answer> {
    if (method !== 'GET' && method !== 'HEAD') {
      return {
        status: 405,
        headers: { allow: 'GET, HEAD', 'content-type': 'text/plain' },
        body: 'method not allowed',
      };
    }
    const raw = new URL(url, 'http://list.invalid').searchParams.get('since');
    if (raw !== null && !/^[0-9]{1,15}$/.test(raw)) {
      return {
        status: 400,
        headers: { 'content-type': 'text/plain' },
        body: 'since must be a version number',
      };
    }
    const list = await this.list(raw === null ? undefined : Number(raw));
    const headers = { etag: list.etag, 'cache-control': 'no-cache' };
    const tags = (ifNoneMatch ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    if (tags.includes(list.etag)) return { status: 304, headers, body: '' };
    return {
      status: 200,
      headers: { ...headers, 'content-type': REVOCATION_LIST_MEDIA_TYPE },
      body: list.jws,
    };
  }

  #sign(since: number, issuedAt: number): SignedRevocationList {
    const revoked: [string, number][] = [];
    for (const [id, { exp, ver }] of this.#entries) {
      if (ver > since) revoked.push([id, exp]);
    }
    const version = this.#version;
    const payload: RevocationListPayload = {
      iss: this.issuerId,
      ver: version,
      iat: issuedAt,
      since,
      revoked,
    };
    return {
      jws: signRevocationList(payload, this.#issuer, this.#kid),
      version,
      issuedAt,
      since,
      etag: etagOf(version, issuedAt),
    };
  }

  #live(id: string): boolean {
    const held = this.#entries.get(id);
    return held !== undefined && held.exp + this.#grace > this.#now();
  }

  /** Drops entries whose blocks expired more than the grace ago. */
  #prune(): void {
    const now = this.#now();
    for (const [id, { exp }] of this.#entries) {
      if (exp + this.#grace <= now) this.#entries.delete(id);
    }
  }

  #invalidate(): void {
    this.#signed = undefined;
    this.#deltas = new Map();
  }

  /** Takes in a state (a file's, a snapshot): versions only grow, entries only get added. */
  #merge(state: RevocationListState): void {
    if (state.iss !== this.issuerId) {
      throw new TypeError(`the revocation list state is for ${state.iss}, not ${this.issuerId}`);
    }
    let changed = false;
    for (const [id, exp, ver] of state.entries) {
      const held = this.#entries.get(id);
      if (held === undefined || held.exp < exp) {
        this.#entries.set(id, { exp, ver });
        changed = true;
      }
    }
    if (state.version > this.#version) {
      this.#version = state.version;
      changed = true;
    }
    if (changed) this.#invalidate();
  }

  async #reload(): Promise<void> {
    if (this.#stateFile === undefined) return;
    const read = await readStateFile(this.#stateFile, this.#fileStamp);
    if (read === undefined) return;
    this.#fileStamp = read.stamp;
    if (read.state !== undefined) this.#merge(read.state);
  }
}

deepFreeze(RevocationListPublisher);
