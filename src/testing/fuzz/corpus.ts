/**
 * The campaign's genuine chains: for each format, a corpus of valid chains (one to four blocks, each hop keeping or
 * narrowing its parent's capabilities), each with a request it is genuinely allowed (or, when the
 * generated capabilities allow nothing, denied) and every genuine prefix. Built once per process
 * and reused by every mutation: key generation and encoding are the slow part.
 *
 * @module
 */
import fc from 'fast-check';
import type { Action, CapabilityInput, Format, KeyPair, Mandate } from '../../core/types.js';
import { toolAction, toolResource } from '../../format/aat/claims.js';
import { delegate } from '../../format/delegate.js';
import { mint } from '../../format/mint.js';
import type { ProofRequest } from '../../core/types.js';
import { arbAatConstraint } from '../aat-laws.js';
import { arbAction, arbCapabilities, arbNarrowing } from '../arbitraries.js';
import { mutationTarget, type MutationTarget } from '../chain-mutators.js';
import { presentProof } from './present.js';
import { FUZZ_AUDIENCE, FUZZ_FORMATS, FUZZ_ISSUER, FUZZ_NOW, type FuzzWorld } from './world.js';

/** One genuine chain of the corpus. */
export interface CorpusChain {
  readonly target: MutationTarget;
  /** What the chain's requests ask for. */
  readonly action: Action;
  /** The request the proof binds. */
  readonly request: ProofRequest;
  /** Each genuine prefix's token (the chain as each holder received it), root first. */
  readonly prefixes: readonly string[];
}

/** The genuine chains of each format. */
export type Corpus = Readonly<Record<Format, readonly CorpusChain[]>>;

const TOOLS = ['read_file', 'send_mail', 'pay_invoice'] as const;

/** AAT capabilities: tool calls, some with core-type argument constraints. */
const arbAatCapabilities: fc.Arbitrary<CapabilityInput[]> = fc
  .uniqueArray(fc.constantFrom(...TOOLS), { minLength: 1, maxLength: 3 })
  .chain((tools) =>
    fc.tuple(
      ...tools.map((tool) =>
        fc
          .option(fc.dictionary(fc.constantFrom('x', 'y'), arbAatConstraint(1), { maxKeys: 2 }), {
            nil: undefined,
          })
          .map((constraints): CapabilityInput => ({
            resource: toolResource(tool),
            actions: ['call'],
            ...(constraints === undefined ? {} : { constraints }),
          })),
      ),
    ),
  );

/** How one chain is drawn: its capabilities, each hop's choice, and candidate requests. */
interface ChainPlan {
  readonly capabilities: CapabilityInput[];
  readonly blocks: number;
  readonly hops: readonly (CapabilityInput[] | undefined)[];
  readonly actions: readonly Action[];
}

function arbChainPlan(format: Format): fc.Arbitrary<ChainPlan> {
  const caps = format === 'aat' ? arbAatCapabilities : arbCapabilities();
  return caps
    .filter((c) => c.length > 0)
    .chain((capabilities) =>
      fc.record({
        capabilities: fc.constant(capabilities),
        blocks: fc.integer({ min: 1, max: 4 }),
        // A hop keeps its parent's capabilities (undefined) or, for AAT, drops tools.
        hops: fc.array(
          fc.option(
            format === 'aat'
              ? fc.subarray(capabilities, { minLength: 1 })
              : arbNarrowing(capabilities),
            { nil: undefined, freq: 2 },
          ),
          { minLength: 3, maxLength: 3 },
        ),
        actions: fc.array(arbAction(capabilities), { minLength: 6, maxLength: 6 }),
      }),
    );
}

/** The tool an AAT action calls (its resource is `tool:<percent-encoded name>`). */
function toolOf(action: Action): string {
  return decodeURIComponent(action.resource.slice(action.resource.indexOf(':') + 1));
}

function requestFor(format: Format, action: Action): ProofRequest {
  return format === 'aat'
    ? { tool: toolOf(action), args: action.args ?? {} }
    : { method: 'POST', url: `${FUZZ_AUDIENCE}/act` };
}

async function buildChain(
  world: FuzzWorld,
  format: Format,
  plan: ChainPlan,
  index: number,
): Promise<Omit<CorpusChain, 'target'> & { token: string }> {
  const holder = (hop: number) => {
    const key = world.keys[(index * 3 + hop) % world.keys.length];
    if (key === undefined) throw new RangeError('no key');
    return key;
  };
  let mandate: Mandate = await mint({
    issuer: world.anchor,
    issuerId: FUZZ_ISSUER,
    ...(format === 'aat' ? {} : { subject: `user-${index}` }),
    holder: holder(0).publicJwk,
    capabilities: plan.capabilities,
    expiresIn: 3600,
    audience: FUZZ_AUDIENCE,
    now: FUZZ_NOW - 60,
    format,
    id: `${format}-${index}-0`,
  });
  const prefixes = [mandate.token];
  for (let hop = 1; hop < plan.blocks; hop++) {
    const narrowed = plan.hops[hop - 1];
    const options = {
      signer: holder(hop - 1),
      holder: holder(hop).publicJwk,
      now: FUZZ_NOW - 60 + hop,
      id: `${format}-${index}-${hop}`,
    };
    try {
      mandate = await delegate(mandate, {
        ...options,
        ...(narrowed === undefined ? {} : { capabilities: narrowed }),
      });
    } catch {
      // A drawn narrowing this format cannot express: the hop keeps its parent's capabilities.
      mandate = await delegate(mandate, options);
    }
    prefixes.push(mandate.token);
  }
  // The first candidate request the chain genuinely allows (else the last: a denied control).
  const hops = prefixes.length;
  let chosen = plan.actions[0] ?? toolAction(TOOLS[0]);
  for (const candidate of plan.actions) {
    // An AAT request names a tool: the action is the tool call's (`toolAction`).
    const action =
      format === 'aat' ? toolAction(toolOf(candidate), candidate.args ?? {}) : candidate;
    chosen = action;
    const decision = await verifyGenuine(world, mandate.token, holder(hops - 1), action, format);
    if (decision) break;
  }
  return { token: mandate.token, action: chosen, request: requestFor(format, chosen), prefixes };
}

async function verifyGenuine(
  world: FuzzWorld,
  token: string,
  presenter: KeyPair,
  action: Action,
  format: Format,
): Promise<boolean> {
  const request = requestFor(format, action);
  const proof = await presentProof(format, token, presenter, request, 'genuine');
  const decision = await world.verifier.verify(token, {
    action,
    ...(proof === undefined ? {} : { proof }),
    request,
  });
  return decision.allowed;
}

/**
 * The corpus for `seed`: `perFormat` genuine chains of each format, each with a partner chain
 * (the next one) for splicing. Deterministic in `seed` except Biscuit's per-block ephemeral keys,
 * which its encoder draws from the system's random source.
 */
export async function buildCorpus(
  world: FuzzWorld,
  seed: number,
  perFormat: number,
): Promise<Corpus> {
  const corpus: Partial<Record<Format, CorpusChain[]>> = {};
  for (const [f, format] of FUZZ_FORMATS.entries()) {
    const plans = fc.sample(arbChainPlan(format), { seed: seed + f, numRuns: perFormat });
    const built = [];
    for (const [i, plan] of plans.entries()) built.push(await buildChain(world, format, plan, i));
    const parties = { anchor: world.anchor, keys: world.keys, stranger: world.stranger };
    const bare = await Promise.all(built.map((b) => mutationTarget(b.token, parties)));
    corpus[format] = built.map((b, i) => ({
      target: {
        ...(bare[i] as MutationTarget),
        partner: bare[(i + 1) % bare.length] as MutationTarget,
      },
      action: b.action,
      request: b.request,
      prefixes: b.prefixes,
    }));
  }
  return corpus as Corpus;
}
