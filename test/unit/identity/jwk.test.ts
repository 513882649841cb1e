/**
 * One key, one principal id (issue 11, finding 10): changing the unused low bits of the last
 * character of `cnf.jwk.x` gave the same key a different RFC 9278 id, and both chains
 * verified. A JWK coordinate must be the canonical base64url of its 32 bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMandateError } from '../../../src/core/errors.js';
import { parsePublicJwk } from '../../../src/identity/jwk.js';
import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  prove,
  type Mandate,
} from '../../../src/index.js';
import { NUM_RUNS } from '../../../src/testing/index.js';
import { blocksOf, keyPairFromSeed, reforgeBlock, TEST_SEEDS } from '../../helpers/forge.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const NOW = 1_800_000_000;
const ISSUER = 'https://as.canonical.test';
const AUDIENCE = 'https://tool.canonical.test';
const REQUEST = { method: 'GET', url: `${AUDIENCE}/docs` } as const;
const ACTION = { resource: 'docs:a', action: 'read' } as const;

const anchor = keyPairFromSeed(TEST_SEEDS.anchor);
const orchestrator = keyPairFromSeed(TEST_SEEDS.orchestrator);
const billing = keyPairFromSeed(TEST_SEEDS.billing);

/**
 * The `k`-th (1..3) other encoding of the same 32 bytes: 43 characters carry 258 bits, so
 * the last character's two low bits are unused and any value there decodes the same.
 */
function reencoded(x: string, k: 1 | 2 | 3): string {
  const last = ALPHABET.indexOf(x.charAt(42));
  return x.slice(0, 42) + ALPHABET.charAt(last + k);
}

function verifier() {
  return createVerifier({
    trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
    audience: AUDIENCE,
    clock: () => NOW,
  });
}

async function chainToBilling(): Promise<Mandate> {
  const root = await mint({
    issuer: anchor,
    issuerId: ISSUER,
    subject: 'alice',
    holder: orchestrator.publicJwk,
    capabilities: [{ resource: 'docs:**', actions: ['read'] }],
    expiresIn: 600,
    audience: AUDIENCE,
    now: NOW,
  });
  return delegate(root, { signer: orchestrator, holder: billing.publicJwk, now: NOW });
}

describe('canonical JWK coordinates (issue 11, finding 10)', () => {
  it('regression: the same holder key with its last x character re-encoded is denied at its hop', async () => {
    const chain = await chainToBilling();
    const x = billing.publicJwk.x ?? '';
    // The genuine chain verifies, with billing's one principal id.
    const proof = await prove(chain, { signer: billing, request: REQUEST, now: NOW });
    expect(
      await verifier().verify(chain, { action: ACTION, proof, request: REQUEST }),
    ).toMatchObject({ allowed: true });
    for (const k of [1, 2, 3] as const) {
      // The orchestrator (the block's genuine signer) names billing's key under another spelling.
      const forged = reforgeBlock(chain.token, 1, orchestrator, (parts) => {
        const cnf = parts.payload['cnf'] as { jwk: Record<string, unknown> };
        cnf.jwk = { ...cnf.jwk, x: reencoded(x, k) };
      });
      expect(Buffer.from(reencoded(x, k), 'base64url')).toEqual(Buffer.from(x, 'base64url'));
      const p = await prove(forged, { signer: billing, request: REQUEST, now: NOW }).catch(
        () => 'no-proof',
      );
      expect(
        await verifier().verify(forged, { action: ACTION, proof: p, request: REQUEST }),
      ).toMatchObject({ allowed: false, code: 'MANDATE_MALFORMED', hop: 1, check: 'limits' });
    }
  });

  it('the root holder re-encoded is denied at hop 0', async () => {
    const chain = await chainToBilling();
    const rootOnly = blocksOf(chain.token)[0] ?? '';
    const x = orchestrator.publicJwk.x ?? '';
    const forged = reforgeBlock(rootOnly, 0, anchor, (parts) => {
      const cnf = parts.payload['cnf'] as { jwk: Record<string, unknown> };
      cnf.jwk = { ...cnf.jwk, x: reencoded(x, 2) };
    });
    const decision = await verifier().verify(forged, { action: ACTION });
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      hop: 0,
      check: 'limits',
    });
  });

  it('mint and delegate refuse a holder key that is not canonical', async () => {
    const holder = { ...billing.publicJwk, x: reencoded(billing.publicJwk.x ?? '', 1) };
    await expect(
      mint({
        issuer: anchor,
        issuerId: ISSUER,
        subject: 'alice',
        holder,
        capabilities: [{ resource: 'docs:**', actions: ['read'] }],
        expiresIn: 600,
      }),
    ).rejects.toThrow(TypeError);
  });

  it('a private JWK whose d is not canonical is refused as a signer', async () => {
    const pair = await generateKeyPair();
    const { exportJWK } = await import('jose');
    const jwk = await exportJWK(pair.privateKey as never);
    const d = jwk.d ?? '';
    const last = ALPHABET.indexOf(d.charAt(42));
    const bad = { ...jwk, d: d.slice(0, 42) + ALPHABET.charAt(last + 1) };
    await expect(
      mint({
        issuer: { ...pair, privateKey: bad },
        subject: 'alice',
        holder: billing.publicJwk,
        capabilities: [{ resource: 'docs:**', actions: ['read'] }],
        expiresIn: 600,
      }),
    ).rejects.toThrow(/canonical/);
  });

  it('for any key, every non-canonical re-encoding of x (and y) is rejected (law)', () => {
    const arbBytes = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(
        arbBytes,
        arbBytes,
        fc.constantFrom(1, 2, 3),
        fc.constantFrom('x', 'y'),
        (xb, yb, k, coordinate) => {
          const x = Buffer.from(xb).toString('base64url');
          const y = Buffer.from(yb).toString('base64url');
          // The canonical forms are accepted, as they are.
          expect(parsePublicJwk({ kty: 'OKP', crv: 'Ed25519', x }, 'limits')).toEqual({
            kty: 'OKP',
            crv: 'Ed25519',
            x,
          });
          expect(parsePublicJwk({ kty: 'EC', crv: 'P-256', x, y }, 'limits')).toMatchObject({
            x,
            y,
          });
          const okp = { kty: 'OKP', crv: 'Ed25519', x: reencoded(x, k) };
          const ec = {
            kty: 'EC',
            crv: 'P-256',
            x,
            y,
            [coordinate]: reencoded(coordinate === 'x' ? x : y, k),
          };
          for (const [jwk, path] of [
            [okp, 'jwk.x'],
            [ec, `jwk.${coordinate}`],
          ] as const) {
            let error: unknown;
            try {
              parsePublicJwk(jwk, 'limits', 3);
            } catch (caught) {
              error = caught;
            }
            expect(isMandateError(error)).toBe(true);
            expect(error).toMatchObject({
              code: 'MANDATE_MALFORMED',
              hop: 3,
              check: 'limits',
              detail: { path },
            });
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
