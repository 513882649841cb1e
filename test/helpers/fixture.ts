/** A small world for verifier tests: an anchor, three agents, a fixed clock. */
import { expect } from 'vitest';
import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  prove,
  type CapabilityInput,
  type Format,
  type KeyPair,
  type Mandate,
  type VerifierOptions,
} from '../../src/index.js';

export const NOW = 1_800_000_000;
export const ANCHOR_ID = 'https://as.test';
export const AUDIENCE = 'https://tool.test';
export const URL = 'https://tool.test/docs/a';
export const REQUEST = { method: 'GET', url: URL } as const;

export interface World {
  readonly anchor: KeyPair;
  readonly agents: readonly [KeyPair, KeyPair, KeyPair];
  readonly stranger: KeyPair;
}

export async function createWorld(): Promise<World> {
  const [anchor, a, b, c, stranger] = await Promise.all(
    Array.from({ length: 5 }, () => generateKeyPair()),
  );
  return { anchor: anchor!, agents: [a!, b!, c!], stranger: stranger! };
}

export const ROOT_CAPS: CapabilityInput[] = [
  { resource: 'docs:**', actions: ['read', 'write'], constraints: { size: { max: 100 } } },
];

/** A root held by agents[0], then each further hop narrowing nothing (depth as asked). */
export async function chainOf(
  world: World,
  hops: 0 | 1 | 2,
  format: Format = 'jws',
): Promise<Mandate> {
  const root = await mint({
    issuer: world.anchor,
    issuerId: ANCHOR_ID,
    subject: 'alice',
    holder: world.agents[0].publicJwk,
    capabilities: ROOT_CAPS,
    expiresIn: 600,
    audience: AUDIENCE,
    now: NOW,
    format,
  });
  return delegatedAlong(root, world.agents, hops);
}

/** `root`, held by `agents[0]`, then `hops` delegations along `agents`, each narrowing nothing. */
export async function delegatedAlong(
  root: Mandate,
  agents: readonly KeyPair[],
  hops: number,
): Promise<Mandate> {
  let mandate = root;
  for (let i = 0; i < hops; i++) {
    mandate = await delegate(mandate, {
      signer: agents[i]!,
      holder: agents[i + 1]!.publicJwk,
      now: NOW,
    });
  }
  return mandate;
}

export function verifierFor(world: World, options: Partial<VerifierOptions> = {}) {
  return createVerifier({
    trustAnchors: [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk }],
    audience: AUDIENCE,
    clock: () => NOW,
    ...options,
  });
}

export const READ = { resource: 'docs:a', action: 'read', args: { size: 10 } } as const;

/** Verify `mandate` with a fresh proof by `signer`. */
export async function verifyWith(
  verifier: ReturnType<typeof createVerifier>,
  mandate: Mandate | string,
  signer: KeyPair,
  action: { resource: string; action: string; args?: Record<string, number | string> } = READ,
) {
  const proof = await prove(mandate, { signer, request: REQUEST, now: NOW });
  return verifier.verify(mandate, { action, proof, request: REQUEST });
}

/** How many decisions ended each way: `allowed`, or `<code>/<detail.reason>`. */
export function tally(
  decisions: readonly Awaited<ReturnType<ReturnType<typeof createVerifier>['verify']>>[],
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const decision of decisions) {
    const key = decision.allowed
      ? 'allowed'
      : `${decision.code}/${String(decision.detail['reason'])}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The same proof sent several times: the first allowed, every later one a replay at `hop`. */
export function expectAcceptedOnce(
  decisions: readonly { readonly allowed: boolean }[],
  hop: number,
): void {
  expect(decisions[0]).toMatchObject({ allowed: true });
  expect(decisions.length).toBeGreaterThan(1);
  for (const decision of decisions.slice(1)) {
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_REPLAYED',
      check: 'possession',
      hop,
    });
  }
}
