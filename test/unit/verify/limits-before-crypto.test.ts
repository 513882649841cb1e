/**
 * DESIGN.md rule 1: size, depth, encoding and every block's schema are checked before any
 * crypto. node:crypto's `verify` (every signature check of every format goes through it) is
 * counted: a token that fails rule 1 anywhere in the chain — even in its last block — is
 * denied without a single signature verification.
 */
import * as nodeCrypto from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { delegate, mint, toolResource, type Mandate } from '../../../src/index.js';
import {
  ANCHOR_ID,
  AUDIENCE,
  NOW,
  READ,
  chainOf,
  createWorld,
  verifierFor,
  verifyWith,
  type World,
} from '../../helpers/fixture.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof nodeCrypto>();
  return { ...original, verify: vi.fn(original.verify) };
});

const verifyCalls = (): number => vi.mocked(nodeCrypto.verify).mock.calls.length;

/** Rewrite block `hop`'s payload, keeping its (now wrong) signature. */
function rewrite(token: string, hop: number, edit: (claims: Record<string, unknown>) => void) {
  const blocks = token.split('~');
  const [header, payload, signature] = (blocks[hop] ?? '').split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  edit(claims);
  blocks[hop] =
    `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
  return blocks.join('~');
}

describe('rule 1 runs before any signature verification', () => {
  let world: World;
  let jws: Mandate;
  let aat: Mandate;
  let biscuit: Mandate;

  beforeAll(async () => {
    world = await createWorld();
    jws = await chainOf(world, 2);
    biscuit = await chainOf(world, 1, 'biscuit');
    const root = await mint({
      format: 'aat',
      issuer: world.anchor,
      issuerId: ANCHOR_ID,
      holder: world.agents[0].publicJwk,
      capabilities: [{ resource: toolResource('read_file'), actions: ['call'] }],
      audience: AUDIENCE,
      expiresIn: 600,
      now: NOW,
    });
    aat = await delegate(root, {
      signer: world.agents[0],
      holder: world.agents[1].publicJwk,
      now: NOW,
    });
  });

  afterEach(() => {
    vi.mocked(nodeCrypto.verify).mockClear();
  });

  it('control: genuine chains are verified with node:crypto (the counter works)', async () => {
    const decision = await verifyWith(verifierFor(world), jws, world.agents[2]);
    expect(decision).toMatchObject({ allowed: true });
    expect(verifyCalls()).toBeGreaterThanOrEqual(3);
    vi.mocked(nodeCrypto.verify).mockClear();
    expect(await verifyWith(verifierFor(world), biscuit, world.agents[1])).toMatchObject({
      allowed: true,
    });
    expect(verifyCalls()).toBeGreaterThanOrEqual(2);
  });

  it.each<[string, () => string, string]>([
    ['an oversized token', () => `${jws.token}${'A'.repeat(20_000)}`, 'MANDATE_LIMIT_EXCEEDED'],
    [
      'an oversized Biscuit token',
      () => `${biscuit.token.slice(0, 64)}${'A'.repeat(20_000)}`,
      'MANDATE_LIMIT_EXCEEDED',
    ],
    [
      '17 blocks',
      () => [jws.token, ...Array.from({ length: 14 }, () => jws.token.split('~')[1])].join('~'),
      'MANDATE_LIMIT_EXCEEDED',
    ],
    [
      'a 1025-character subject in the last block',
      () => rewrite(jws.token, 2, (c) => (c['sub'] = 'a'.repeat(1025))),
      'MANDATE_LIMIT_EXCEEDED',
    ],
    [
      'a control character in the last block resource',
      () =>
        rewrite(jws.token, 2, (c) => {
          c['authorization_details'] = [
            { type: 'mandate', resource: 'docs:a\u0007', actions: ['read'] },
          ];
        }),
      'MANDATE_MALFORMED',
    ],
    [
      'a `..` segment in the last block resource',
      () =>
        rewrite(jws.token, 2, (c) => {
          c['authorization_details'] = [
            { type: 'mandate', resource: 'docs:a/../b', actions: ['read'] },
          ];
        }),
      'MANDATE_MALFORMED',
    ],
    [
      'an AAT leaf with a non-NFC tool name',
      () =>
        rewrite(aat.token, 1, (c) => {
          c['authorization_details'] = [
            { type: 'attenuating_agent_token', tools: { 'cafe\u0301': {} } },
          ];
        }),
      'MANDATE_MALFORMED',
    ],
  ])('%s: denied in rule 1 with no signature verified', async (_name, make, code) => {
    const token = make();
    vi.mocked(nodeCrypto.verify).mockClear();
    const decision = await verifierFor(world).verify(token, { action: READ });
    expect(decision).toMatchObject({ allowed: false, code, check: 'limits' });
    expect(verifyCalls()).toBe(0);
  });
});
