/**
 * The soak's traffic: a realistic mix of genuine requests and attacks against one service, in
 * batches at a virtual time that advances with the traffic (so tokens expire and are re-minted,
 * proofs leave the replay window, revocations lapse: every store and cache reaches its steady
 * state instead of filling for ever).
 *
 * The mix, per 100 requests:
 * - 40 repeated: one of 64 pooled chains (2 to 4 blocks), each request with its own fresh proof;
 *   a pooled chain is re-minted shortly before it expires;
 * - 18 never seen: a new chain (1 to 4 blocks) through 16 known agents;
 * - 8 fresh keys: a new chain whose every holder key is new (key caches churn);
 * - 16 delegated on the fly: a pooled chain extended by one narrower hop to a known agent or a new
 *   key, proven by the new holder (the verifier has the prefix cached, not the last block);
 * - 18 denials, each with its exact `{ code, hop, check }`: over the root's limit, over the last
 *   hop's limit, a replayed proof, a stolen chain with the thief's own proof, another service's
 *   mandate, a root signed by a stranger under the anchor's name, an expired root, a revoked block.
 *
 * @module
 */
import {
  delegate,
  generateKeyPair,
  mint,
  prove,
  type Format,
  type KeyPair,
  type Mandate,
  type TrustAnchor,
} from '../../src/index.js';
import {
  AUDIENCE,
  requestOf,
  type Batch,
  type Expected,
  type Revocation,
  type SoakRequest,
} from './types.js';

/** The amount limit of each hop: every delegation narrows it. */
const LIMITS = [500, 400, 300, 200, 150, 120] as const;
const POOL = 64;
const AGENTS = 16;
const LIFETIME = 900;
/** A pooled chain is re-minted this many seconds before it expires. */
const REMINT_MARGIN = 120;
/** A revoked chain lives this long: its revocation lapses soon after. */
const REVOKED_LIFETIME = 120;
/** A proof is replayed only while it is this fresh (the verifier's window is 60 s). */
const REPLAY_WITHIN = 45;

const MIX = [
  ['repeated', 40],
  ['never-seen', 18],
  ['fresh-keys', 8],
  ['delegated', 16],
  ['forbidden-root', 3],
  ['forbidden-last', 3],
  ['replayed', 3],
  ['stolen', 2],
  ['audience', 2],
  ['untrusted', 2],
  ['expired', 2],
  ['revoked', 1],
] as const satisfies readonly (readonly [SoakRequest['kind'], number])[];

/** An allowed request, its last hop, and when it was made. */
interface Allowed {
  readonly request: SoakRequest;
  readonly hop: number;
  readonly now: number;
}

/** A chain the workload can prove: its mandate and the key pair of its last holder. */
interface Held {
  readonly mandate: Mandate;
  readonly holder: KeyPair;
}

/** A small, fast, seeded generator (mulberry32): the mix is reproducible from the seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function denied(code: string, hop: number, check: string): Expected {
  return { allowed: false, code, hop, check };
}

const ALLOWED: Expected = { allowed: true };

/** The last hop of a chain (0 for a root alone). */
function lastHop(held: Held): number {
  return held.mandate.blocks.length - 1;
}

/** Whether a kept chain is still far enough from its expiry to be presented again. */
function usable(held: Held | undefined, now: number): held is Held {
  return held !== undefined && (held.mandate.blocks[0]?.expiresAt ?? 0) - REMINT_MARGIN > now;
}

/** Generates the soak's traffic for one format. */
export class Workload {
  readonly format: Format;
  readonly anchorId: string;
  readonly #anchor: KeyPair;
  readonly #stranger: KeyPair;
  readonly #agents: readonly KeyPair[];
  readonly #random: () => number;
  readonly #pool: (Held | undefined)[] = [];
  #thief: Held | undefined;
  #serial = 0;
  /** Allowed requests of the batch before this one (verified by now): what a replay presents. */
  #previous: Allowed[] = [];
  #current: Allowed[] = [];

  private constructor(format: Format, seed: number, keys: readonly KeyPair[]) {
    this.format = format;
    this.anchorId = `https://as.soak.example/${format}`;
    this.#random = seededRandom(seed);
    const [anchor, stranger, ...agents] = keys;
    if (anchor === undefined || stranger === undefined) throw new Error('no keys');
    this.#anchor = anchor;
    this.#stranger = stranger;
    this.#agents = agents;
  }

  /** A workload for `format`; its mix follows `seed`. */
  static async create(format: Format, seed: number): Promise<Workload> {
    const keys = await Promise.all(Array.from({ length: AGENTS + 2 }, () => generateKeyPair()));
    return new Workload(format, seed, keys);
  }

  /** The trust anchor a verifier of this traffic needs. */
  get trustAnchor(): TrustAnchor {
    return { id: this.anchorId, publicJwk: this.#anchor.publicJwk };
  }

  /** Starts a batch: the requests of the one before are now verified, and may be replayed. */
  beginBatch(): void {
    this.#previous = this.#current;
    this.#current = [];
  }

  /** The next request of this batch, at `now`; a revocation it needs goes to `revocations`. */
  async next(now: number, revocations: Revocation[]): Promise<SoakRequest> {
    const { request, hop } = await this.#request(this.#pick(), now, revocations);
    if (request.expect.allowed) this.#current.push({ request, hop, now });
    return request;
  }

  #pick(): SoakRequest['kind'] {
    let roll = this.#random() * 100;
    for (const [kind, weight] of MIX) {
      roll -= weight;
      if (roll < 0) return kind;
    }
    return 'repeated';
  }

  #int(below: number): number {
    return Math.floor(this.#random() * below);
  }

  #agent(): KeyPair {
    const agent = this.#agents[this.#int(this.#agents.length)];
    if (agent === undefined) throw new Error('no agents');
    return agent;
  }

  /** A new chain: a root to `holders[0]`, then one narrowing delegation per further holder. */
  async #chain(
    holders: readonly KeyPair[],
    now: number,
    root: Partial<Parameters<typeof mint>[0]> = {},
  ): Promise<Held> {
    const first = holders[0];
    if (first === undefined) throw new Error('a chain needs a holder');
    let mandate = await mint({
      issuer: this.#anchor,
      issuerId: this.anchorId,
      subject: `user-${this.#serial++}`,
      holder: first.publicJwk,
      capabilities: [
        {
          resource: 'billing:invoices/**',
          actions: ['read', 'pay'],
          constraints: { amount: { max: LIMITS[0] } },
        },
      ],
      expiresIn: LIFETIME,
      audience: AUDIENCE,
      maxDepth: LIMITS.length - 1,
      format: this.format,
      now,
      ...root,
    });
    for (let h = 1; h < holders.length; h++) {
      mandate = await delegate(mandate, {
        signer: holders[h - 1]!,
        holder: holders[h]!.publicJwk,
        capabilities: [
          {
            resource: 'billing:invoices/**',
            actions: ['pay'],
            constraints: { amount: { max: LIMITS[h]! } },
          },
        ],
        now,
      });
    }
    return { mandate, holder: holders.at(-1)! };
  }

  /** `count` holders: known agents, or keys nobody has seen. */
  async #holders(count: number, fresh: boolean): Promise<KeyPair[]> {
    if (fresh) return Promise.all(Array.from({ length: count }, () => generateKeyPair()));
    return Array.from({ length: count }, () => this.#agent());
  }

  /** A pooled chain, re-minted when it nears its expiry. */
  async #pooled(now: number): Promise<Held> {
    const slot = this.#int(POOL);
    const held = this.#pool[slot];
    if (usable(held, now)) return held;
    const fresh = await this.#chain(await this.#holders(2 + (slot % 3), false), now);
    this.#pool[slot] = fresh;
    return fresh;
  }

  /** The thief's own mandate (a genuine one, for its own key), re-minted like the pool. */
  async #thiefAt(now: number): Promise<Held> {
    const held = this.#thief;
    if (usable(held, now)) return held;
    this.#thief = await this.#chain([this.#stranger], now);
    return this.#thief;
  }

  /** A request presenting `held`, with a fresh proof by `prover` (by default its own holder). */
  async #present(
    kind: SoakRequest['kind'],
    held: Held,
    now: number,
    amount: number,
    expect: Expected,
    prover: Held = held,
  ): Promise<{ request: SoakRequest; hop: number }> {
    const invoice = `2026-${1 + this.#int(12)}`;
    const { http } = requestOf({ invoice, amount });
    const proof = await prove(prover.mandate, { signer: prover.holder, request: http, now });
    const request = {
      kind,
      format: this.format,
      token: held.mandate.token,
      proof,
      invoice,
      amount,
      expect,
    };
    return { request, hop: lastHop(held) };
  }

  async #request(
    kind: SoakRequest['kind'],
    now: number,
    revocations: Revocation[],
  ): Promise<{ request: SoakRequest; hop: number }> {
    const amount = 1 + this.#int(100);
    switch (kind) {
      case 'repeated':
        return this.#present(kind, await this.#pooled(now), now, amount, ALLOWED);
      case 'never-seen':
        return this.#present(
          kind,
          await this.#chain(await this.#holders(1 + this.#int(4), false), now),
          now,
          amount,
          ALLOWED,
        );
      case 'fresh-keys':
        return this.#present(
          kind,
          await this.#chain(await this.#holders(1 + this.#int(3), true), now),
          now,
          amount,
          ALLOWED,
        );
      case 'delegated': {
        const parent = await this.#pooled(now);
        const [holder] = await this.#holders(1, this.#int(2) === 0);
        const hop = lastHop(parent) + 1;
        const mandate = await delegate(parent.mandate, {
          signer: parent.holder,
          holder: holder!.publicJwk,
          capabilities: [
            {
              resource: 'billing:invoices/*',
              actions: ['pay'],
              constraints: { amount: { max: LIMITS[hop]! } },
            },
          ],
          now,
        });
        return this.#present(kind, { mandate, holder: holder! }, now, amount, ALLOWED);
      }
      case 'forbidden-root':
        return this.#present(
          kind,
          await this.#pooled(now),
          now,
          10 * LIMITS[0],
          denied('MANDATE_FORBIDDEN', 0, 'authorize'),
        );
      case 'forbidden-last': {
        const held = await this.#pooled(now);
        const hop = lastHop(held);
        return this.#present(
          kind,
          held,
          now,
          LIMITS[hop]! + 1,
          denied('MANDATE_FORBIDDEN', hop, 'authorize'),
        );
      }
      case 'replayed': {
        const original = this.#previous[this.#int(this.#previous.length)];
        if (original === undefined || now - original.now > REPLAY_WITHIN) {
          return this.#request('forbidden-root', now, revocations);
        }
        const request = {
          ...original.request,
          kind,
          expect: denied('MANDATE_REPLAYED', original.hop, 'possession'),
        };
        return { request, hop: original.hop };
      }
      case 'stolen': {
        // The thief presents a pooled chain with a proof by its own key (of its own mandate).
        const held = await this.#pooled(now);
        const thief = await this.#thiefAt(now);
        const expect = denied('MANDATE_PROOF_INVALID', lastHop(held), 'possession');
        return this.#present(kind, held, now, amount, expect, thief);
      }
      case 'audience': {
        const held = await this.#chain([this.#agent()], now, {
          audience: 'https://other.soak.example',
        });
        return this.#present(kind, held, now, amount, denied('MANDATE_AUDIENCE', 0, 'audience'));
      }
      case 'untrusted': {
        const held = await this.#chain([this.#agent()], now, { issuer: this.#stranger });
        return this.#present(
          kind,
          held,
          now,
          amount,
          denied('MANDATE_SIGNATURE_INVALID', 0, 'anchor'),
        );
      }
      case 'expired': {
        const held = await this.#chain([this.#agent()], now - 1000, { expiresIn: 60 });
        return this.#present(kind, held, now, amount, denied('MANDATE_EXPIRED', 0, 'window'));
      }
      case 'revoked': {
        const holders = await this.#holders(1 + this.#int(3), false);
        const held = await this.#chain(holders, now, { expiresIn: REVOKED_LIFETIME });
        const hop = this.#int(held.mandate.blocks.length);
        const block = held.mandate.blocks[hop]!;
        revocations.push({ id: block.id, expiresAt: block.expiresAt });
        return this.#present(kind, held, now, amount, denied('MANDATE_REVOKED', hop, 'revocation'));
      }
    }
  }
}

/** One format's share of the traffic. */
export interface Share {
  readonly format: Format;
  readonly weight: number;
}

/** The soak's traffic: one workload per format, mixed request by request by weight. */
export class Traffic {
  readonly #parts: readonly { readonly workload: Workload; readonly weight: number }[];
  readonly #random: () => number;

  private constructor(parts: readonly { workload: Workload; weight: number }[], seed: number) {
    this.#parts = parts;
    this.#random = seededRandom(seed ^ 0x5bd1e995);
  }

  /** Traffic of `shares`; the mix follows `seed`. */
  static async create(shares: readonly Share[], seed: number): Promise<Traffic> {
    const parts = await Promise.all(
      shares.map(async ({ format, weight }, i) => ({
        workload: await Workload.create(format, seed + i),
        weight,
      })),
    );
    return new Traffic(parts, seed);
  }

  /** The trust anchors a verifier of this traffic needs. */
  get trustAnchors(): TrustAnchor[] {
    return this.#parts.map((p) => p.workload.trustAnchor);
  }

  /** The next `size` requests, all at `now`. */
  async batch(size: number, now: number): Promise<Batch> {
    for (const { workload } of this.#parts) workload.beginBatch();
    const total = this.#parts.reduce((sum, p) => sum + p.weight, 0);
    const revocations: Revocation[] = [];
    const requests: SoakRequest[] = [];
    for (let i = 0; i < size; i++) {
      let roll = this.#random() * total;
      const part = this.#parts.find((p) => (roll -= p.weight) < 0) ?? this.#parts[0]!;
      requests.push(await part.workload.next(now, revocations));
    }
    return { now, revocations, requests };
  }
}
