/**
 * The AAT draft's published JWS vectors (draft-niyikiza-oauth-attenuating-agent-tokens-02,
 * 79 cases: 19 PERMIT, 60 DENY). Each runs through Mandate's one verifier pipeline with the
 * file's parameters and trust anchor and the case's policy; a DENY must name the draft step
 * that rejects it (`detail.step`). The file is found by test/helpers/vectors.ts
 * (`../shared/vectors/aat/` beside the clone, or `AAT_VECTORS`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  delegate,
  mint,
  prove,
  toolResource,
  type Decision,
} from '../../src/index.js';
import { createPrivateKey } from 'node:crypto';
import {
  readVectorFile,
  vectorsOrReport,
  type AatDraftVector,
  type AatDraftVectorFile,
} from '../helpers/vectors.js';

const TITLE = 'AAT draft vectors (draft-niyikiza-oauth-attenuating-agent-tokens-02)';
const found = vectorsOrReport('aat', TITLE);

type Vector = AatDraftVector;
type VectorFile = AatDraftVectorFile;

/** The steps a reported step may be for an expected one (the file's own notes allow these). */
function acceptedSteps(vector: Vector): readonly string[] {
  const step = vector.expected.step;
  if (step === null) return [];
  if (step === '3n/4o') return ['3n', '4o'];
  // J.8.3: "a verifier that validates constraint types while walking the tree at step 3n
  // will report 3n instead of 6b. Both are conformant."
  if (vector.id === 'J.8.3') return ['6b', '3n'];
  return [step];
}

function verifierFor(file: VectorFile, vector: Vector) {
  const { params } = file;
  return createVerifier({
    trustAnchors: file.trust_anchors.map((anchor) => ({ id: anchor.iss, publicJwk: anchor.jwk })),
    audience: params.audience,
    clock: () => vector.now,
    proofWindow: params.pop_window,
    maxIatSkew: params.max_iat_skew,
    maxTokenLifetime: params.max_token_lifetime,
    maxDelegationDepth: params.max_delegation_depth,
    // The draft's "chain audience required" is Mandate's requireAudience (default true).
    requireAudience: vector.policy.require_chain_aud === true,
    requirePopAudience: vector.policy.require_pop_aud === true,
    ...(vector.policy.nonce === undefined ? {} : { nonce: vector.policy.nonce }),
  });
}

/** An Ed25519 key pair from the file's test seed. */
function keyPairOf(file: VectorFile, name: string) {
  const key = file.keys[name];
  if (key === undefined) throw new Error(`no key ${name}`);
  const d = Buffer.from(key.seed_hex, 'hex').toString('base64url');
  return {
    privateKey: createPrivateKey({ key: { ...key.jwk, d } as never, format: 'jwk' }),
    publicJwk: key.jwk,
    id: key.thumbprint_uri,
  };
}

if (found !== undefined) {
  const file = readVectorFile<VectorFile>(found.file).json;
  const passed = new Set<string>();

  describe(TITLE, () => {
    afterAll(() => {
      console.info(`AAT vectors: ${passed.size}/${file.vectors.length} pass (verdict and step)`);
    });

    it('holds the 79 published vectors', () => {
      expect(file.vectors).toHaveLength(79);
    });

    it.each(file.vectors.map((vector) => [`${vector.id} ${vector.title}`, vector] as const))(
      '%s',
      async (_name, vector) => {
        const decision: Decision = await verifierFor(file, vector).verify(
          vector.chain_compact.join('~'),
          { proof: vector.pop.compact, request: { tool: vector.tool, args: vector.args } },
        );
        if (vector.expected.verdict === 'PERMIT') {
          expect(decision, JSON.stringify(decision)).toMatchObject({
            allowed: true,
            format: 'aat',
          });
        } else {
          expect(decision.allowed, `${vector.id} must be denied`).toBe(false);
          const step = decision.allowed ? undefined : decision.detail['step'];
          expect(acceptedSteps(vector), `${vector.id}: ${JSON.stringify(decision)}`).toContain(
            step,
          );
        }
        passed.add(vector.id);
      },
    );
  });

  describe("AAT round trip: Mandate mints, delegates and proves; the vectors' rules verify", () => {
    const { params } = file;
    const anchor = file.trust_anchors[0];
    const issuerKeys = keyPairOf(file, 'control_plane');
    const orchestrator = keyPairOf(file, 'orchestrator');
    const worker = keyPairOf(file, 'worker');
    const now = params.now;
    const verifier = (extra: { requirePopAudience?: boolean } = {}) =>
      createVerifier({
        trustAnchors: [{ id: anchor?.iss ?? '', publicJwk: anchor?.jwk ?? {} }],
        audience: params.audience,
        clock: () => now,
        proofWindow: params.pop_window,
        maxIatSkew: params.max_iat_skew,
        maxTokenLifetime: params.max_token_lifetime,
        maxDelegationDepth: params.max_delegation_depth,
        requireAudience: false,
        ...extra,
      });

    it('a minted root, a narrowed delegation and an aat-pop+jwt are accepted', async () => {
      const root = await mint({
        format: 'aat',
        issuer: issuerKeys,
        issuerId: anchor?.iss ?? '',
        holder: orchestrator.publicJwk,
        capabilities: [
          {
            resource: toolResource('read_file'),
            actions: ['call'],
            constraints: {
              path: {
                constraint_type: 'one_of',
                values: ['/data/q3-report.pdf', '/data/q4-report.pdf'],
              },
            },
          },
          { resource: toolResource('search_index'), actions: ['call'] },
        ],
        expiresIn: 3600,
        maxDepth: 3,
        now: now - 60,
      });
      expect(root.format).toBe('aat');
      expect(root.token.split('.')[0]).toBe(
        Buffer.from('{"alg":"Ed25519","typ":"aat+jwt"}').toString('base64url'),
      );
      const child = await delegate(root, {
        signer: orchestrator,
        holder: worker.publicJwk,
        capabilities: [
          {
            resource: 'tool:read_file',
            actions: ['call'],
            constraints: { path: { eq: '/data/q3-report.pdf' } },
          },
        ],
        now: now - 30,
      });
      const request = { tool: 'read_file', args: { path: '/data/q3-report.pdf' } };
      const proof = await prove(child, {
        signer: worker,
        request,
        now,
        audience: params.audience,
      });
      const decision = await verifier({ requirePopAudience: true }).verify(child.token, {
        proof,
        request,
      });
      expect(decision).toMatchObject({
        allowed: true,
        format: 'aat',
        subject: anchor?.iss,
        chain: [anchor?.iss, orchestrator.id, worker.id],
      });
      const other = { tool: 'read_file', args: { path: '/data/q4-report.pdf' } };
      const denied = await verifier().verify(child.token, {
        proof: await prove(child, { signer: worker, request: other, now }),
        request: other,
      });
      expect(denied).toMatchObject({
        allowed: false,
        code: 'MANDATE_FORBIDDEN',
        detail: { step: '6b' },
      });
    });

    it('delegate refuses what the draft rejects even when semantically narrower (J.8.4)', async () => {
      const root = await mint({
        format: 'aat',
        issuer: issuerKeys,
        issuerId: anchor?.iss ?? '',
        holder: orchestrator.publicJwk,
        capabilities: [
          {
            resource: toolResource('export'),
            actions: ['call'],
            constraints: {
              limit: {
                constraint_type: 'all',
                constraints: [
                  { constraint_type: 'range', min: 0 },
                  { constraint_type: 'range', max: 100 },
                ],
              },
            },
          },
        ],
        expiresIn: 3600,
        now,
      });
      await expect(
        delegate(root, {
          signer: orchestrator,
          holder: worker.publicJwk,
          capabilities: [
            {
              resource: toolResource('export'),
              actions: ['call'],
              constraints: { limit: { constraint_type: 'range', min: 0, max: 50 } },
            },
          ],
          now,
        }),
      ).rejects.toMatchObject({ code: 'MANDATE_WIDENED' });
    });

    it('what AAT cannot express is refused at mint time', async () => {
      const base = {
        format: 'aat' as const,
        issuer: issuerKeys,
        issuerId: anchor?.iss ?? '',
        holder: orchestrator.publicJwk,
        expiresIn: 3600,
        now,
      };
      await expect(
        mint({ ...base, capabilities: [{ resource: 'billing:invoices/*', actions: ['read'] }] }),
      ).rejects.toThrow(TypeError);
      await expect(
        mint({
          ...base,
          capabilities: [
            {
              resource: 'tool:read_file',
              actions: ['call'],
              constraints: { path: { glob: '/data/*' } },
            },
          ],
        }),
      ).rejects.toThrow(TypeError);
      await expect(
        mint({
          ...base,
          subject: 'alice',
          capabilities: [{ resource: 'tool:x', actions: ['call'] }],
        }),
      ).rejects.toThrow(TypeError);
    });
  });
}
