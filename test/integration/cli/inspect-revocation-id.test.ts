/**
 * `mandate inspect` (its own process) shows each Biscuit block's revocation id right below its
 * block id, and none for a JWS chain. Moved from the Biscuit revocation unit tests: it spawns.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair, type Mandate } from '../../../src/index.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { decodeBiscuitChain, type BiscuitChainBlock } from '../../../src/format/biscuit/chain.js';
import { runCli } from '../../helpers/cli.js';
import { threeBlocks } from '../../helpers/revocation-chain.js';

let anchor: KeyPair;
let agents: KeyPair[];
let chain: Mandate;
let blocks: BiscuitChainBlock[];

beforeAll(async () => {
  [anchor, ...agents] = (await Promise.all(Array.from({ length: 4 }, () => generateKeyPair()))) as [
    KeyPair,
    ...KeyPair[],
  ];
  chain = await threeBlocks('biscuit', anchor, agents);
  blocks = await decodeBiscuitChain(chain.token, DEFAULT_LIMITS);
});

describe('mandate inspect', () => {
  const inspect = async (token: string) => {
    const run = await runCli(['inspect', token]);
    expect(run.code, run.stderr).toBe(0);
    return run.stdout;
  };

  it("prints a Biscuit block's revocation id right below its block id", async () => {
    const out = await inspect(chain.token);
    const shown = [...out.matchAll(/^block (\d+) {2}id (\S+)\n {2}revocation id ([0-9a-f]+)$/gm)];
    expect(shown.map((m) => [Number(m[1]), m[2], m[3]])).toEqual(
      blocks.map((b, hop) => [hop, b.id, b.revocationId]),
    );
  });

  it('prints no revocation id for a JWS chain', async () => {
    const out = await inspect((await threeBlocks('jws', anchor, agents)).token);
    expect(out).toMatch(/^block 2 {2}id \S+$/m);
    expect(out).not.toContain('revocation id');
  });
});
