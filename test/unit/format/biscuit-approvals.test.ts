/**
 * Approval requirements in Biscuit layout 2: block-level `approval_requirement` facts that a
 * delegation writes only when it changes them (inherited otherwise), in the one canonical
 * encoding (normal form, RFC 8785 JSON, normal-form order) that a verifier re-encodes and compares.
 */
import { describe, expect, it } from 'vitest';

import { delegate } from '../../../src/index.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { decodeBlock, encodeBlock } from '../../../src/format/biscuit/block.js';
import { readBiscuit } from '../../../src/format/biscuit/chain.js';
import { SymbolTable } from '../../../src/format/biscuit/symbols.js';
import {
  NOW,
  approvalChain,
  createApprovalWorld,
  requirements,
} from '../../helpers/approval-world.js';

const world = await createApprovalWorld();
const [, a1, a2] = world.agents;

/** What each block of `token` itself states (not what it inherits). */
function statedApprovals(token: string) {
  const { entries } = readBiscuit(token, DEFAULT_LIMITS);
  return entries.map(
    (entry, hop) =>
      decodeBlock(
        entry.block.signed.block,
        entries[hop - 1]?.table ?? SymbolTable.initial,
        hop,
        DEFAULT_LIMITS,
      ).content.approvals,
  );
}

describe('approval requirements in Biscuit layout 2', () => {
  it('a delegation inherits them without restating them, and states the full list when it tightens', async () => {
    const chain = await approvalChain(world, 1, 'biscuit');
    const tightened = [
      ...requirements(world),
      { resource: 'billing:invoices/**', actions: ['refund'], approvers: ['user'] },
    ];
    const mandate = await delegate(chain, {
      signer: a1,
      holder: a2.publicJwk,
      now: NOW,
      approvals: tightened,
    });
    const stated = statedApprovals(mandate.token);
    expect(stated[0]).toEqual(chain.blocks[0]?.approvals);
    expect(stated[1]).toBeUndefined();
    expect(stated[2]).toEqual(mandate.blocks[2]?.approvals);
    expect(mandate.blocks[1]?.approvals).toEqual(chain.blocks[0]?.approvals);
    expect(mandate.blocks[2]?.approvals).toHaveLength(3);
  });

  it('a block whose requirements are not in normal-form order is malformed', async () => {
    const chain = await approvalChain(world, 0, 'biscuit');
    const { entries } = readBiscuit(chain.token, DEFAULT_LIMITS);
    const bytes = entries[0]!.block.signed.block;
    const { content } = decodeBlock(bytes, SymbolTable.initial, 0, DEFAULT_LIMITS);
    expect(content.approvals).toHaveLength(2);
    // The genuine content re-encodes to the very same bytes.
    expect(Buffer.from(encodeBlock(content, SymbolTable.initial, true).bytes)).toEqual(
      Buffer.from(bytes),
    );
    const reordered = { ...content, approvals: [...(content.approvals ?? [])].reverse() };
    const changed = encodeBlock(reordered, SymbolTable.initial, true).bytes;
    expect(() => decodeBlock(changed, SymbolTable.initial, 0, DEFAULT_LIMITS)).toThrow(
      expect.objectContaining({ code: 'MANDATE_MALFORMED', hop: 0, check: 'limits' }),
    );
  });
});
