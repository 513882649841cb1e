/**
 * Signed A2A Agent Cards (A2A §8.4): both canonicalisation profiles, signing and verifying,
 * every denial with its code, interop with @a2a-js/sdk both ways, and a pinned signature by
 * the RFC 8037 Appendix A key (Ed25519 is deterministic, so the output is fixed).
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  canonicalizeAgentCard as sdkCanonicalize,
  generateAgentCardSignature,
  verifyAgentCardSignature,
} from '@a2a-js/sdk';
import { exportJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  holderKeysExtension,
  signAgentCard,
  verifyAgentCard,
  type AgentCard,
} from '../../../../src/identity/agent-card/index.js';
import { THUMBPRINT_URI_PREFIX } from '../../../../src/identity/thumbprint.js';
import { generateKeyPair, type KeyPair } from '../../../../src/index.js';
import { segment } from '../../../helpers/forge.js';
import { canonicalizeAgentCard } from '../../../../src/identity/agent-card/canonical.js';

// RFC 8037 Appendix A.1/A.2 (the same key test/vectors/rfc.test.ts checks).
const RFC8037_PUBLIC = {
  kty: 'OKP',
  crv: 'Ed25519',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
} as const;
const RFC8037: KeyPair = {
  privateKey: { ...RFC8037_PUBLIC, d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' },
  publicJwk: RFC8037_PUBLIC,
  id: `${THUMBPRINT_URI_PREFIX}kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k`,
};

const ORIGIN = 'https://billing.example';

/** A v1.0 card with a few empty defaults, where the two profiles differ. */
function billingCard(): AgentCard {
  return {
    name: 'Billing Agent',
    description: 'Pays approved invoices.',
    supportedInterfaces: [
      { url: `${ORIGIN}/a2a/v1`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    ],
    provider: { organization: 'Example Corp', url: 'https://example.com' },
    version: '1.2.0',
    capabilities: { streaming: true, pushNotifications: false, extensions: [] },
    defaultInputModes: ['application/json'],
    defaultOutputModes: ['application/json'],
    skills: [
      {
        id: 'pay-invoice',
        name: 'Pay invoice',
        description: 'Pays one invoice.',
        tags: ['billing'],
        examples: [],
      },
    ],
  };
}

describe('canonicalisation profiles (A2A §8.4.1)', () => {
  const fragment: AgentCard = {
    name: 'Example Agent',
    description: '',
    capabilities: { streaming: false, pushNotifications: false, extensions: [] },
    skills: [],
  };

  it("'a2a-spec' reproduces the §8.4.1 example output exactly", () => {
    expect(canonicalizeAgentCard(fragment, 'a2a-spec')).toBe(
      '{"capabilities":{"pushNotifications":false,"streaming":false},"description":"","name":"Example Agent","skills":[]}',
    );
  });

  it("'a2a-js' (default) removes empty defaults as @a2a-js/sdk does", () => {
    expect(canonicalizeAgentCard(fragment)).toBe(
      '{"capabilities":{"pushNotifications":false,"streaming":false},"name":"Example Agent"}',
    );
  });

  it("'a2a-js' equals the SDK's canonicalizeAgentCard on varied cards", () => {
    const cards: AgentCard[] = [
      fragment,
      billingCard(),
      {
        ...billingCard(),
        documentationUrl: '',
        iconUrl: 'https://billing.example/icon.png',
        securitySchemes: {
          oauth: {
            oauth2SecurityScheme: {
              description: '',
              flows: {
                clientCredentials: {
                  tokenUrl: 'https://as.example/token',
                  refreshUrl: '',
                  scopes: { pay: 'Pay', empty: '' },
                },
              },
            },
          },
          mtls: { mtlsSecurityScheme: { description: 'client certificates' } },
        },
        securityRequirements: [{ schemes: { oauth: { list: ['pay'] } } }],
        capabilities: {
          extensions: [
            { uri: 'urn:x', required: false, params: { a: '', b: [1, 0, false], c: { d: null } } },
            holderKeysExtension([RFC8037_PUBLIC]),
          ],
        },
      },
    ];
    for (const card of cards) {
      expect(canonicalizeAgentCard(card)).toBe(sdkCanonicalize(card as never));
    }
  });

  it('neither profile covers `signatures`', () => {
    const signed = { ...fragment, signatures: [{ protected: 'e30', signature: 'AA' }] };
    expect(canonicalizeAgentCard(signed)).toBe(canonicalizeAgentCard(fragment));
    expect(canonicalizeAgentCard(signed, 'a2a-spec')).toBe(
      canonicalizeAgentCard(fragment, 'a2a-spec'),
    );
  });
});

describe('signAgentCard / verifyAgentCard', () => {
  it('RFC 8037 key: the signature on a fixed card is pinned (Ed25519 is deterministic)', () => {
    const signed = signAgentCard(billingCard(), { signer: RFC8037, kid: 'rfc8037' });
    expect(signed.signatures).toEqual([
      {
        protected: 'eyJhbGciOiJFZDI1NTE5IiwidHlwIjoiSk9TRSIsImtpZCI6InJmYzgwMzcifQ',
        signature: PINNED_SIGNATURE,
      },
    ]);
    // Twice, same bytes.
    expect(signAgentCard(billingCard(), { signer: RFC8037, kid: 'rfc8037' })).toEqual(signed);
  });

  it('verifies a card it signed, and reports what verified', async () => {
    const signed = signAgentCard(billingCard(), { signer: RFC8037, kid: 'rfc8037' });
    const verified = await verifyAgentCard(signed, {
      keys: [{ ...RFC8037_PUBLIC, kid: 'rfc8037' }],
      origin: ORIGIN,
    });
    expect(verified).toMatchObject({
      version: '1.0',
      profile: 'a2a-js',
      alg: 'Ed25519',
      kid: 'rfc8037',
      signingKeyId: RFC8037.id,
      holderKeys: [],
    });
  });

  it('verifies JSON text as served, and an ES256 signature', async () => {
    const pair = await generateKeyPair('ES256');
    const signed = signAgentCard(billingCard(), { signer: pair, kid: 'es' });
    const verified = await verifyAgentCard(JSON.stringify(signed), {
      keys: [{ ...pair.publicJwk, kid: 'es' }],
    });
    expect(verified.alg).toBe('ES256');
  });

  it('reads the holder keys a signed card lists', async () => {
    const holder = await generateKeyPair();
    const card = {
      ...billingCard(),
      capabilities: { streaming: true, extensions: [holderKeysExtension([holder.publicJwk])] },
    };
    const signed = signAgentCard(card, { signer: RFC8037, kid: 'k' });
    const verified = await verifyAgentCard(signed, { keys: [{ ...RFC8037_PUBLIC, kid: 'k' }] });
    expect(verified.holderKeys).toEqual([holder.publicJwk]);
  });

  it("a spec-profile signature verifies only when 'a2a-spec' is accepted", async () => {
    const keys = [{ ...RFC8037_PUBLIC, kid: 'k' }];
    // A REQUIRED field at its default: kept by 'a2a-spec', removed by 'a2a-js'.
    const card = { ...billingCard(), defaultOutputModes: [] };
    expect(canonicalizeAgentCard(card, 'a2a-spec')).not.toBe(canonicalizeAgentCard(card));
    const signed = signAgentCard(card, { signer: RFC8037, kid: 'k', profile: 'a2a-spec' });
    await expect(verifyAgentCard(signed, { keys })).rejects.toMatchObject({
      code: 'MANDATE_SIGNATURE_INVALID',
      check: 'anchor',
    });
    expect(await verifyAgentCard(signed, { keys, profile: ['a2a-js', 'a2a-spec'] })).toMatchObject({
      profile: 'a2a-spec',
    });
  });

  it('signs and verifies a v0.3 card', async () => {
    const v03: AgentCard = {
      protocolVersion: '0.3.0',
      name: 'Old Agent',
      description: 'v0.3',
      url: `${ORIGIN}/a2a`,
      preferredTransport: 'JSONRPC',
      version: '0.1.0',
      capabilities: { streaming: false },
      defaultInputModes: ['text/plain'],
      defaultOutputModes: ['text/plain'],
      skills: [],
    };
    const signed = signAgentCard(v03, { signer: RFC8037, kid: 'k' });
    const verified = await verifyAgentCard(signed, {
      keys: [{ ...RFC8037_PUBLIC, kid: 'k' }],
      origin: ORIGIN,
    });
    expect(verified.version).toBe('0.3');
    // The v0.3 `url` is covered: moving the agent breaks the signature.
    await expect(
      verifyAgentCard(
        { ...signed, url: 'https://billing.example/elsewhere' },
        { keys: [{ ...RFC8037_PUBLIC, kid: 'k' }] },
      ),
    ).rejects.toMatchObject({ code: 'MANDATE_SIGNATURE_INVALID' });
  });

  it('keeps earlier signatures (rotation): either key verifies', async () => {
    const next = await generateKeyPair();
    const once = signAgentCard(billingCard(), { signer: RFC8037, kid: 'old' });
    const twice = signAgentCard(once, { signer: next, kid: 'new' });
    expect(twice.signatures).toHaveLength(2);
    expect(
      await verifyAgentCard(twice, { keys: [{ ...next.publicJwk, kid: 'new' }] }),
    ).toMatchObject({ kid: 'new' });
  });

  it('refuses misuse with TypeError', async () => {
    expect(() => signAgentCard(billingCard(), { signer: RFC8037, kid: '' })).toThrow(TypeError);
    expect(() =>
      signAgentCard({ ...billingCard(), bogus: 1 }, { signer: RFC8037, kid: 'k' }),
    ).toThrow(TypeError);
    await expect(verifyAgentCard(billingCard(), {})).rejects.toThrow(TypeError);
  });
});

describe('verifyAgentCard denials, each with its code', () => {
  const keys = [{ ...RFC8037_PUBLIC, kid: 'k' }];
  const signed = () => signAgentCard(billingCard(), { signer: RFC8037, kid: 'k' });
  const withHeader = (header: Record<string, unknown>) => {
    const card = signed();
    const [entry] = card.signatures ?? [];
    return { ...card, signatures: [{ ...entry, protected: segment(header) }] };
  };

  it('tampered field -> MANDATE_SIGNATURE_INVALID (signature)', async () => {
    const card = { ...signed(), description: 'Pays every invoice.' };
    await expect(verifyAgentCard(card, { keys })).rejects.toMatchObject({
      code: 'MANDATE_SIGNATURE_INVALID',
      check: 'anchor',
      detail: { reason: 'signature' },
    });
  });

  it('tampered nested field (an interface URL) -> MANDATE_SIGNATURE_INVALID', async () => {
    const card = signed();
    const moved = {
      ...card,
      supportedInterfaces: [
        { url: `${ORIGIN}/evil`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      ],
    };
    await expect(verifyAgentCard(moved, { keys })).rejects.toMatchObject({
      code: 'MANDATE_SIGNATURE_INVALID',
    });
  });

  it('removed signature -> MANDATE_SIGNATURE_INVALID (unsigned)', async () => {
    const { signatures: _removed, ...card } = signed();
    await expect(verifyAgentCard(card, { keys })).rejects.toMatchObject({
      code: 'MANDATE_SIGNATURE_INVALID',
      check: 'anchor',
      detail: { reason: 'unsigned' },
    });
    await expect(verifyAgentCard({ ...card, signatures: [] }, { keys })).rejects.toMatchObject({
      code: 'MANDATE_SIGNATURE_INVALID',
      detail: { reason: 'unsigned' },
    });
  });

  it('unknown kid -> MANDATE_UNTRUSTED_ISSUER (unknown-kid)', async () => {
    const card = signAgentCard(billingCard(), { signer: RFC8037, kid: 'other' });
    await expect(verifyAgentCard(card, { keys })).rejects.toMatchObject({
      code: 'MANDATE_UNTRUSTED_ISSUER',
      check: 'anchor',
      detail: { reason: 'unknown-kid' },
    });
  });

  it('a correct kid naming another key -> MANDATE_SIGNATURE_INVALID', async () => {
    const stranger = await generateKeyPair();
    const card = signAgentCard(billingCard(), { signer: stranger, kid: 'k' });
    await expect(verifyAgentCard(card, { keys })).rejects.toMatchObject({
      code: 'MANDATE_SIGNATURE_INVALID',
    });
  });

  it('jku not allow-listed -> MANDATE_UNTRUSTED_ISSUER (jku-not-allowed), before any fetch', async () => {
    const card = signAgentCard(billingCard(), {
      signer: RFC8037,
      kid: 'k',
      jku: 'https://attacker.example/jwks.json',
    });
    await expect(
      verifyAgentCard(card, { keys, jku: ['https://billing.example/jwks.json'] }),
    ).rejects.toMatchObject({
      code: 'MANDATE_UNTRUSTED_ISSUER',
      check: 'anchor',
      detail: { reason: 'jku-not-allowed' },
    });
  });

  it('alg none -> MANDATE_SIGNATURE_INVALID (alg-not-allowed)', async () => {
    for (const alg of ['none', 'HS256', 'RS256', 'EdDSA']) {
      await expect(
        verifyAgentCard(withHeader({ alg, typ: 'JOSE', kid: 'k' }), { keys }),
        alg,
      ).rejects.toMatchObject({
        code: 'MANDATE_SIGNATURE_INVALID',
        check: 'anchor',
        detail: { reason: 'alg-not-allowed' },
      });
    }
  });

  it('a card served from another origin -> MANDATE_UNTRUSTED_ISSUER (origin-mismatch)', async () => {
    await expect(
      verifyAgentCard(signed(), { keys, origin: 'https://evil.example' }),
    ).rejects.toMatchObject({
      code: 'MANDATE_UNTRUSTED_ISSUER',
      check: 'anchor',
      detail: { reason: 'origin-mismatch' },
    });
  });

  it('key-steering header members (jwk, x5u, crit) -> MANDATE_MALFORMED', async () => {
    for (const extra of [{ jwk: RFC8037_PUBLIC }, { x5u: 'https://x' }, { crit: ['b64'] }]) {
      await expect(
        verifyAgentCard(withHeader({ alg: 'Ed25519', typ: 'JOSE', kid: 'k', ...extra }), { keys }),
      ).rejects.toMatchObject({ code: 'MANDATE_MALFORMED', check: 'anchor' });
    }
    const card = signed();
    const [entry] = card.signatures ?? [];
    await expect(
      verifyAgentCard({ ...card, signatures: [{ ...entry, header: { kid: 'k' } }] }, { keys }),
    ).rejects.toMatchObject({ code: 'MANDATE_MALFORMED' });
  });

  it('typ other than JOSE, or no kid -> MANDATE_MALFORMED', async () => {
    await expect(
      verifyAgentCard(withHeader({ alg: 'Ed25519', typ: 'JWT', kid: 'k' }), { keys }),
    ).rejects.toMatchObject({ code: 'MANDATE_MALFORMED' });
    await expect(
      verifyAgentCard(withHeader({ alg: 'Ed25519', typ: 'JOSE' }), { keys }),
    ).rejects.toMatchObject({ code: 'MANDATE_MALFORMED' });
  });

  it('a member outside the schema (it would be unsigned) -> MANDATE_MALFORMED', async () => {
    await expect(
      verifyAgentCard({ ...signed(), url2: 'https://evil.example' }, { keys }),
    ).rejects.toMatchObject({ code: 'MANDATE_MALFORMED', detail: { path: 'card' } });
    await expect(verifyAgentCard('{"name":"a","name":"b"}', { keys })).rejects.toMatchObject({
      code: 'MANDATE_MALFORMED',
    });
  });
});

describe('interop with @a2a-js/sdk 1.3', () => {
  it('the SDK verifies a card Mandate signed (Ed25519 and ES256)', async () => {
    for (const alg of ['Ed25519', 'ES256'] as const) {
      const pair = alg === 'Ed25519' ? RFC8037 : await generateKeyPair('ES256');
      const signed = signAgentCard(billingCard(), { signer: pair, kid: 'mandate' });
      const calls: [string, string | undefined][] = [];
      const verify = verifyAgentCardSignature((kid, jku) => {
        calls.push([kid, jku]);
        return Promise.resolve({ ...pair.publicJwk });
      });
      await expect(verify(signed as never), alg).resolves.toBeUndefined();
      expect(calls).toEqual([['mandate', undefined]]);
    }
  });

  it('Mandate verifies a card the SDK signed (ES256, jku allow-listed by exact URL)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sign = generateAgentCardSignature(privateKey, {
      alg: 'ES256',
      kid: 'sdk-key',
      typ: 'JOSE',
    });
    const signed = (await sign(billingCard() as never)) as unknown as AgentCard;
    const jwk = { ...(await exportJWK(publicKey)), kid: 'sdk-key' };
    expect(await verifyAgentCard(signed, { keys: [jwk], origin: ORIGIN })).toMatchObject({
      alg: 'ES256',
      kid: 'sdk-key',
      profile: 'a2a-js',
    });
  });

  it("an SDK signature with the polymorphic 'EdDSA' verifies only when allow-listed", async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const sign = generateAgentCardSignature(privateKey, { alg: 'EdDSA', kid: 'ed', typ: 'JOSE' });
    const signed = (await sign(billingCard() as never)) as unknown as AgentCard;
    const keys = [{ ...(await exportJWK(publicKey)), kid: 'ed' }];
    await expect(verifyAgentCard(signed, { keys })).rejects.toMatchObject({
      code: 'MANDATE_SIGNATURE_INVALID',
      detail: { reason: 'alg-not-allowed' },
    });
    expect(await verifyAgentCard(signed, { keys, algorithms: ['Ed25519', 'EdDSA'] })).toMatchObject(
      { alg: 'EdDSA' },
    );
  });

  it('the SDK rejects a card Mandate signed once it is tampered', async () => {
    const signed = signAgentCard(billingCard(), { signer: RFC8037, kid: 'k' });
    const verify = verifyAgentCardSignature(() => Promise.resolve({ ...RFC8037_PUBLIC }));
    const debug = console.debug;
    console.debug = () => undefined;
    try {
      await expect(verify({ ...signed, name: 'Evil' } as never)).rejects.toThrow();
    } finally {
      console.debug = debug;
    }
  });
});

// Generated once by signAgentCard with the RFC 8037 key; any change to canonicalisation,
// header layout or signing changes it.
const PINNED_SIGNATURE =
  'rjX4p_HVsdmaFM30cyxmsWQXVbEjniGAsZUPHTYYaa0QrGnQs-OWAe5Sq6YYWRQO-uOSYx4aJVEO86hoJ1B3CQ';
