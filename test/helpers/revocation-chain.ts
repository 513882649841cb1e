/**
 * The three-block chain the revocation tests share (root → a, a → b, b → c, `docs:**` read),
 * in either encoding, from a fixed clock: used by the unit tests of rule 6 and by the CLI's
 * `inspect` test.
 */
import { delegate, mint, type Action, type KeyPair, type Mandate } from '../../src/index.js';

export const NOW = 1_800_000_000;
export const ISSUER = 'https://as.revocation.test';
export const AUDIENCE = 'https://tool.revocation.test';
export const READ: Action = { resource: 'docs:reports/q1', action: 'read' };

/** Root by `anchor` to `agents[0]`, then two delegations down `agents[1]` and `agents[2]`. */
export async function threeBlocks(
  format: 'biscuit' | 'jws',
  anchor: KeyPair,
  agents: readonly KeyPair[],
): Promise<Mandate> {
  let mandate = await mint({
    issuer: anchor,
    issuerId: ISSUER,
    subject: 'alice',
    holder: agents[0]!.publicJwk,
    capabilities: [{ resource: 'docs:**', actions: ['read'] }],
    audience: AUDIENCE,
    expiresIn: 3600,
    now: NOW,
    format,
  });
  for (const hop of [1, 2]) {
    mandate = await delegate(mandate, {
      signer: agents[hop - 1]!,
      holder: agents[hop]!.publicJwk,
      now: NOW,
    });
  }
  return mandate;
}
