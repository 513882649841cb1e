/**
 * The laws of delegation chains, as reusable async property checks (DESIGN.md section 8):
 * attenuation never widens, `delegate` refuses exactly the widenings, and every tamper is
 * denied. Each runs `fc.assert` (the failing seed and a shrunk counterexample are printed).
 * `format` picks the encoding, so the same laws hold for JWS and Biscuit.
 */
import fc from 'fast-check';
import { isSubset } from '../core/capability.js';
import { isMandateError } from '../core/errors.js';
import type { Action, CapabilityInput, Format, KeyPair, Mandate } from '../core/types.js';
import { delegate } from '../format/delegate.js';
import { mint } from '../format/mint.js';
import { generateKeyPair } from '../identity/keys.js';
import { prove } from '../proof/prove.js';
import { createVerifier, type Verifier } from '../verify/verifier.js';
import type { Decision } from '../verify/decision.js';
import { arbAction, arbCapabilities, arbNarrowing } from './arbitraries.js';
import { NUM_RUNS } from './config.js';
import { applyMutation, arbMutation } from './mutators.js';

/** Options of the chain laws: the encoding, the capabilities drawn, runs and seed. */
export interface ChainLawOptions {
  readonly format?: Format;
  readonly capabilities?: fc.Arbitrary<CapabilityInput[]>;
  readonly numRuns?: number;
  readonly seed?: number;
}

const ISSUER = 'https://issuer.laws';
const AUDIENCE = 'https://service.laws';
const NOW = 1_900_000_000;
const REQUEST = { method: 'POST', url: `${AUDIENCE}/act` } as const;

/** Fixed parties for the laws: an anchor and a pool of holders. */
export interface LawWorld {
  readonly anchor: KeyPair;
  readonly holders: readonly KeyPair[];
  readonly verifier: Verifier;
}

let shared: Promise<LawWorld> | undefined;

/** The parties, created once per process (key generation is the slow part). */
export function lawWorld(): Promise<LawWorld> {
  shared ??= (async () => {
    const anchor = await generateKeyPair();
    const holders = await Promise.all(Array.from({ length: 9 }, () => generateKeyPair()));
    const verifier = createVerifier({
      trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
      audience: AUDIENCE,
      clock: () => NOW,
    });
    return { anchor, holders, verifier };
  })();
  return shared;
}

function holder(world: LawWorld, i: number): KeyPair {
  const pair = world.holders[i % world.holders.length];
  if (pair === undefined) throw new Error('no holder');
  return pair;
}

/** Mint a root for holder 0. */
export function mintFor(
  world: LawWorld,
  capabilities: readonly CapabilityInput[],
  format: Format = 'jws',
) {
  return mint({
    issuer: world.anchor,
    issuerId: ISSUER,
    subject: 'law-user',
    holder: holder(world, 0).publicJwk,
    capabilities,
    expiresIn: 3600,
    audience: AUDIENCE,
    now: NOW,
    format,
  });
}

/** Extend `mandate` (held by holder `hop - 1`) to holder `hop` with `capabilities`. */
export function extend(
  world: LawWorld,
  mandate: Mandate,
  capabilities?: readonly CapabilityInput[],
) {
  const hop = mandate.blocks.length;
  return delegate(mandate, {
    signer: holder(world, hop - 1),
    holder: holder(world, hop).publicJwk,
    ...(capabilities === undefined ? {} : { capabilities }),
    now: NOW,
  });
}

/** Verify `token` for `action` with a fresh proof by the last holder (holder `blocks - 1`). */
export async function verifyAsHolder(
  world: LawWorld,
  token: string,
  hops: number,
  action: Action,
): Promise<Decision> {
  const signer = holder(world, hops - 1);
  let proof: string;
  try {
    proof = await prove(token, { signer, request: REQUEST, now: NOW });
  } catch {
    // A token too broken to name its holder: present it with no proof at all.
    return world.verifier.verify(token, { action });
  }
  return world.verifier.verify(token, { action, proof, request: REQUEST });
}

function params(o: ChainLawOptions): fc.Parameters<unknown> {
  const numRuns = o.numRuns ?? Math.max(20, Math.floor(NUM_RUNS / 4));
  return o.seed === undefined ? { numRuns } : { numRuns, seed: o.seed };
}

/** Allowed after a delegation implies allowed before it. */
export async function checkAttenuationNeverWidens(o: ChainLawOptions = {}): Promise<void> {
  const world = await lawWorld();
  // Actions aimed at the narrower grant half the time, so "allowed after" is common.
  const arb = (o.capabilities ?? arbCapabilities()).chain((caps) =>
    arbNarrowing(caps).chain((narrower) =>
      fc.tuple(
        fc.constant(caps),
        fc.constant(narrower),
        fc.oneof(arbAction(caps), arbAction(narrower)),
      ),
    ),
  );
  await fc.assert(
    fc.asyncProperty(arb, async ([caps, narrower, action]) => {
      const root = await mintFor(world, caps, o.format);
      const child = await extend(world, root, narrower);
      const after = await verifyAsHolder(world, child.token, 2, action);
      if (!after.allowed) return true;
      const before = await verifyAsHolder(world, root.token, 1, action);
      return before.allowed;
    }),
    { ...params(o), numRuns: o.numRuns ?? NUM_RUNS },
  );
}

/** `delegate` throws `MANDATE_WIDENED` exactly when the capabilities are not a subset. */
export async function checkDelegateRefusesExactlyWidenings(o: ChainLawOptions = {}): Promise<void> {
  const world = await lawWorld();
  const arb = (o.capabilities ?? arbCapabilities()).chain((caps) =>
    fc.tuple(fc.constant(caps), fc.oneof(arbNarrowing(caps), o.capabilities ?? arbCapabilities())),
  );
  await fc.assert(
    fc.asyncProperty(arb, async ([caps, requested]) => {
      const root = await mintFor(world, caps, o.format);
      const expectRefusal = !isSubset(requested, caps);
      try {
        await extend(world, root, requested);
        return !expectRefusal;
      } catch (error) {
        return (
          expectRefusal &&
          isMandateError(error) &&
          error.code === 'MANDATE_WIDENED' &&
          error.hop === 1
        );
      }
    }),
    params(o),
  );
}

/**
 * Any single-character change, block removal, reordering or duplication is denied. The one
 * exception is a genuine prefix (the tail removed): that is a valid mandate of an earlier
 * holder (AAT J.9.4), so it must be denied to everyone else but that holder.
 */
export async function checkTamperIsDenied(o: ChainLawOptions = {}): Promise<void> {
  const world = await lawWorld();
  const caps: CapabilityInput[] = [{ resource: 'docs:**', actions: ['read'] }];
  const action: Action = { resource: 'docs:a', action: 'read' };
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 4 }), arbMutation, async (blocks, mutation) => {
      let mandate = await mintFor(world, caps, o.format);
      const prefixes = [mandate.token];
      while (mandate.blocks.length < blocks) {
        mandate = await extend(world, mandate);
        prefixes.push(mandate.token);
      }
      const genuine = await verifyAsHolder(world, mandate.token, blocks, action);
      if (!genuine.allowed) return false;
      const tampered = await applyMutation(mandate.token, mutation);
      if (tampered === undefined) return true;
      const prefixHolder = prefixes.indexOf(tampered);
      // Whoever presents it, with whatever proof it can make, is denied.
      for (let hops = 1; hops <= blocks + 1; hops++) {
        if (hops - 1 === prefixHolder) continue;
        if ((await verifyAsHolder(world, tampered, hops, action)).allowed) return false;
      }
      return true;
    }),
    params(o),
  );
}

/** Splicing the head of one chain onto the tail of another is denied. */
export async function checkSpliceIsDenied(o: ChainLawOptions = {}): Promise<void> {
  const world = await lawWorld();
  const caps: CapabilityInput[] = [{ resource: 'docs:**', actions: ['read'] }];
  const action: Action = { resource: 'docs:a', action: 'read' };
  const { spliceBlocks } = await import('./mutators.js');
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      async (keep, from) => {
        let a = await mintFor(world, caps, o.format);
        let b = await mintFor(world, caps, o.format);
        while (a.blocks.length < 4) a = await extend(world, a);
        while (b.blocks.length < 4) b = await extend(world, b);
        // The blocks of b, as the format's splicer exposes them (JWS pieces, Biscuit SignedBlocks).
        let right: string[] = [];
        await spliceBlocks(b.token, (blocks) => (right = blocks));
        const spliced = await spliceBlocks(a.token, (blocks) => [
          ...blocks.slice(0, keep),
          ...right.slice(from),
        ]);
        for (let hops = 1; hops <= 5; hops++) {
          if ((await verifyAsHolder(world, spliced, hops, action)).allowed) return false;
        }
        return true;
      },
    ),
    params(o),
  );
}
