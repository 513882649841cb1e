/**
 * What the Inspector shows of a mandate: its blocks as hops ("who delegated what to whom"),
 * each compared with its parent. Decoding only: nothing here verifies a signature, a link, a
 * time or an audience, and the result says so in every response.
 *
 * @module
 */
import type { ApprovalRequirement } from '../../core/approval-requirement.js';
import { findWidening } from '../../core/capability.js';
import type { BlockView, Capability, Format, Json } from '../../core/types.js';
import { parseMandate } from '../../format/parse.js';
import { describeCapability, describeConstraint, partyLabel } from './describe.js';
import {
  approvalLooseningText,
  requirementViews,
  type PartyNames,
  type RequirementView,
} from './requirements.js';

/** One observation about a hop compared with its parent. */
export interface NarrowingNote {
  /**
   * `narrowed`: the hop gives up something its parent had; `widened`: it claims more than its
   * parent (a verifier denies such a chain, at the narrowing rule); `same`: nothing changed.
   */
  readonly kind: 'narrowed' | 'widened' | 'same';
  readonly text: string;
}

/** One block, as a delegation from `from` to `to`. */
export interface HopView {
  /** The block's index (0 = root). */
  readonly hop: number;
  readonly kind: 'root' | 'delegation';
  readonly id: string;
  /** Who signed this block: the root's issuer name, or the parent holder's principal id. */
  readonly from: string;
  /** Principal id of this block's holder. */
  readonly to: string;
  /** Short labels of `from` and `to` (the anchor's id, or `key …3mIq` for a key). */
  readonly fromLabel: string;
  readonly toLabel: string;
  /** Each capability in one readable line (`pay on billing:x where amount ≤ 200`). */
  readonly capabilityText: readonly string[];
  /** The block as encoded: the JWS header and payload (JWS and AAT chains) or, for Biscuit, the decoded block. */
  readonly raw: { readonly header?: Json; readonly payload: Json };
  readonly subject: string;
  readonly capabilities: readonly Capability[];
  readonly audience?: readonly string[];
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly notBefore?: number;
  readonly depth: number;
  readonly maxDepth: number;
  readonly purpose?: string;
  /** Biscuit's revocation id of the block (hex), for Biscuit tokens only. */
  readonly revocationId?: string;
  /** How this block differs from its parent; empty for the root. */
  readonly narrowing: readonly NarrowingNote[];
  /** The block's approval requirements (normal form), as decoded; absent when none. */
  readonly approvals?: readonly ApprovalRequirement[];
  /** The same requirements in plain words, each with where it comes from (empty when none). */
  readonly approvalRequirements: readonly RequirementView[];
}

/** What {@link compareWithParent} reads of a hop: its facts, without the display text. */
export type HopFacts = Omit<
  HopView,
  'fromLabel' | 'toLabel' | 'capabilityText' | 'raw' | 'approvalRequirements'
>;

/** The answer of `POST /api/inspect`. */
export interface InspectView {
  /** Always false: the Inspector's decoding checks nothing. */
  readonly verified: false;
  readonly notice: string;
  readonly format: Format;
  readonly subject: string;
  /** Principal id of the last holder. */
  readonly holder: string;
  readonly hops: readonly HopView[];
}

/** Said with every decoded view, so no reader mistakes it for a verification. */
export const UNVERIFIED_NOTICE =
  'UNVERIFIED: decoded only. No signature, link, time, audience or revocation was checked; ' +
  'anyone can write a token that decodes like this.';

const sameJson = (a: Json | object | undefined, b: Json | object | undefined): boolean =>
  JSON.stringify(a) === JSON.stringify(b);

/** The parent capability that most plausibly became `child`: same resource first, then any covering one. */
function parentOf(child: Capability, parents: readonly Capability[]): Capability | undefined {
  return (
    parents.find((p) => p.resource === child.resource) ??
    parents.find((p) => child.actions.some((a) => p.actions.includes(a)))
  );
}

/** What each of the child's capabilities gave up relative to the parent capability it came from. */
function capabilityNotes(
  child: readonly Capability[],
  parent: readonly Capability[],
): NarrowingNote[] {
  const notes: NarrowingNote[] = [];
  for (const c of child) {
    const p = parentOf(c, parent);
    if (p === undefined) continue; // reported by the widening check
    if (p.resource !== c.resource) {
      notes.push({ kind: 'narrowed', text: `resource ${p.resource} → ${c.resource}` });
    }
    const dropped = p.actions.filter((a) => !c.actions.includes(a));
    if (dropped.length > 0) {
      notes.push({
        kind: 'narrowed',
        text: `on ${c.resource}: actions ${p.actions.join(',')} → ${c.actions.join(',')}`,
      });
    }
    const pc = p.constraints ?? {};
    const cc = c.constraints ?? {};
    for (const [arg, constraint] of Object.entries(cc)) {
      const before = pc[arg];
      if (before === undefined) {
        notes.push({
          kind: 'narrowed',
          text: `on ${c.resource}: now ${describeConstraint(arg, constraint)}`,
        });
      } else if (!sameJson(before, constraint)) {
        notes.push({
          kind: 'narrowed',
          text: `on ${c.resource}: ${describeConstraint(arg, before)} → ${describeConstraint(arg, constraint)}`,
        });
      }
    }
  }
  for (const p of parent) {
    const kept = child.some((c) => parentOf(c, parent) === p);
    if (!kept) notes.push({ kind: 'narrowed', text: `dropped: ${describeCapability(p)}` });
  }
  return notes;
}

const iso = (seconds: number): string => {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
};

/**
 * Every way block `child` differs from `parent`, widenings first (they are what matters).
 * `names` labels approvers (default: the child's subject, no holders known).
 */
export function compareWithParent(
  child: HopFacts,
  parent: HopFacts,
  format: Format,
  names: PartyNames = { subject: child.subject, holders: [] },
): NarrowingNote[] {
  const widened: NarrowingNote[] = [];
  const narrowed: NarrowingNote[] = [];
  try {
    const widening = findWidening(child.capabilities, parent.capabilities, {
      profile: format === 'aat' ? 'aat' : 'mandate',
    });
    if (widening !== undefined) {
      widened.push({
        kind: 'widened',
        text:
          `${widening.action} on ${widening.resource} is not within the parent's capabilities` +
          (widening.reason === 'arguments' ? ' (its argument constraints are looser)' : ''),
      });
    }
  } catch (error) {
    // A capability the algebra cannot read: say so rather than guess.
    widened.push({
      kind: 'widened',
      text: `capabilities could not be compared: ${error instanceof Error ? error.message : 'unknown error'}`,
    });
  }
  narrowed.push(...capabilityNotes(child.capabilities, parent.capabilities));
  if (child.expiresAt > parent.expiresAt) {
    widened.push({
      kind: 'widened',
      text: `expires later than its parent (${iso(child.expiresAt)} > ${iso(parent.expiresAt)})`,
    });
  } else if (child.expiresAt < parent.expiresAt) {
    narrowed.push({ kind: 'narrowed', text: `expires earlier: ${iso(child.expiresAt)}` });
  }
  if ((child.notBefore ?? 0) < (parent.notBefore ?? 0)) {
    widened.push({ kind: 'widened', text: 'valid from earlier than its parent' });
  }
  if (parent.audience !== undefined) {
    const outside = (child.audience ?? ['(any audience)']).filter(
      (a) => !(parent.audience ?? []).includes(a),
    );
    if (outside.length > 0) {
      widened.push({
        kind: 'widened',
        text: `audience beyond the parent's: ${outside.join(', ')}`,
      });
    } else if ((child.audience?.length ?? 0) < parent.audience.length) {
      narrowed.push({
        kind: 'narrowed',
        text: `audience narrowed to ${(child.audience ?? []).join(', ')}`,
      });
    }
  } else if (child.audience !== undefined) {
    narrowed.push({ kind: 'narrowed', text: `audience set to ${child.audience.join(', ')}` });
  }
  if (child.maxDepth > parent.maxDepth) {
    widened.push({
      kind: 'widened',
      text: `allows deeper delegation than its parent (max depth ${child.maxDepth} > ${parent.maxDepth})`,
    });
  } else if (child.maxDepth < parent.maxDepth) {
    narrowed.push({
      kind: 'narrowed',
      text: `max delegation depth ${parent.maxDepth} → ${child.maxDepth}`,
    });
  }
  if (child.subject !== parent.subject) {
    widened.push({ kind: 'widened', text: 'names a different originating user than its parent' });
  }
  const loosened = approvalLooseningText(child.approvals ?? [], parent.approvals ?? [], names);
  if (loosened !== undefined) widened.push({ kind: 'widened', text: loosened });
  for (const r of requirementViews(
    child.hop,
    child.approvals ?? [],
    parent.approvals ?? [],
    names,
  )) {
    // Adding or tightening a requirement narrows what the hop passes on.
    if (r.origin === 'added') {
      narrowed.push({ kind: 'narrowed', text: `approval added: ${r.text}` });
    } else if (r.origin === 'tightened') {
      narrowed.push({ kind: 'narrowed', text: `approval ${r.originText}: ${r.text}` });
    }
  }
  const notes = [...widened, ...narrowed];
  return notes.length === 0
    ? [{ kind: 'same', text: 'passes on its parent’s authority unchanged' }]
    : notes;
}

/** A Biscuit block has no JSON form: its decoded fields stand in for the payload. */
function biscuitRaw(block: BlockView): Json {
  const { holderJwk, ...rest } = block;
  return JSON.parse(JSON.stringify({ ...rest, holderKey: holderJwk })) as Json;
}

/** Biscuit revocation ids by block index; decoded separately because `parseMandate` hides them. */
async function revocationIds(token: string): Promise<readonly string[] | undefined> {
  // Loaded only for Biscuit tokens: it pulls in the Biscuit decoder.
  const { decodeBiscuitChain } = await import('../../format/biscuit/chain.js');
  const { DEFAULT_LIMITS } = await import('../../core/limits.js');
  const blocks = await decodeBiscuitChain(token, DEFAULT_LIMITS);
  return blocks.map((b) => b.revocationId);
}

/** The JSON header and payload of each compact JWS of a `~`-joined chain (already decoded once). */
function rawJwsBlocks(token: string): readonly { header: Json; payload: Json }[] {
  const json = (segment: string): Json =>
    JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Json;
  return token.split('~').map((piece) => {
    const [header = '', payload = ''] = piece.split('.');
    return { header: json(header), payload: json(payload) };
  });
}

/**
 * Decode `token` for display, without verifying anything. Throws the decoder's coded
 * `MandateError` (`MANDATE_MALFORMED`, `MANDATE_LIMIT_EXCEEDED`) for a token that does not
 * decode.
 */
export async function inspectToken(token: string): Promise<InspectView> {
  const mandate = await parseMandate(token);
  const revocation = mandate.format === 'biscuit' ? await revocationIds(token) : undefined;
  const raws = mandate.format === 'biscuit' ? undefined : rawJwsBlocks(token);
  const hops: HopView[] = [];
  const names: PartyNames = {
    subject: mandate.subject,
    holders: mandate.blocks.map((block) => block.holder),
  };
  for (const [hop, block] of mandate.blocks.entries()) {
    const revocationId = revocation?.[hop];
    const view: HopView = {
      hop,
      kind: hop === 0 ? 'root' : 'delegation',
      id: block.id,
      from: block.issuer,
      to: block.holder,
      fromLabel: partyLabel(block.issuer),
      toLabel: partyLabel(block.holder),
      capabilityText: block.capabilities.map(describeCapability),
      raw: raws?.[hop] ?? { payload: biscuitRaw(block) },
      subject: block.subject,
      capabilities: block.capabilities,
      ...(block.audience === undefined ? {} : { audience: block.audience }),
      issuedAt: block.issuedAt,
      expiresAt: block.expiresAt,
      ...(block.notBefore === undefined ? {} : { notBefore: block.notBefore }),
      depth: block.depth,
      maxDepth: block.maxDepth,
      ...(block.purpose === undefined ? {} : { purpose: block.purpose }),
      ...(revocationId === undefined ? {} : { revocationId }),
      narrowing: [],
      ...(block.approvals === undefined ? {} : { approvals: block.approvals }),
      approvalRequirements: requirementViews(
        hop,
        block.approvals ?? [],
        hop === 0 ? undefined : (mandate.blocks[hop - 1]?.approvals ?? []),
        names,
      ),
    };
    const parent = hops[hop - 1];
    hops.push(
      parent === undefined
        ? view
        : { ...view, narrowing: compareWithParent(view, parent, mandate.format, names) },
    );
  }
  return {
    verified: false,
    notice: UNVERIFIED_NOTICE,
    format: mandate.format,
    subject: mandate.subject,
    holder: mandate.holder,
    hops,
  };
}
