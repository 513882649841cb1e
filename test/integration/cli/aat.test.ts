/**
 * The CLI with AAT chains (draft-niyikiza-oauth-attenuating-agent-tokens-02), each command run
 * as its own process (`node --import tsx src/cli/main.ts`): `mint --format aat`, `delegate`
 * (which keeps the format), `prove` (an `aat-pop+jwt` for a tool call), `verify` (the format
 * read from the token, the AAT knobs as flags) and `inspect`; and a sample of the draft's
 * published vectors (one per verifier knob) through `mandate verify`.
 */
import { exportJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../../../src/index.js';
import {
  describeWithVectors,
  readVectorFile,
  type AatDraftVectorFile,
} from '../../helpers/vectors.js';
import { runCli } from '../../helpers/cli.js';

const ISSUER = 'https://as.example';
const AUD = 'https://tools.example';
const NOW = 1_800_000_000;

const cli = (args: readonly string[]) => runCli(args);

/** Runs a command that must succeed and returns its one line of output. */
async function ok(args: readonly string[]): Promise<string> {
  const run = await cli(args);
  expect(run.stderr, args[0]).toBe('');
  expect(run.code, args[0]).toBe(0);
  return run.stdout.trim();
}

interface Party {
  readonly pair: KeyPair;
  /** The private JWK, as `--issuer` / `--signer` take it. */
  readonly key: string;
  /** The public JWK, as `--holder` / `--anchor` take it. */
  readonly pub: string;
}

async function party(): Promise<Party> {
  const pair = await generateKeyPair();
  return {
    pair,
    key: JSON.stringify(await exportJWK(pair.privateKey as never)),
    pub: JSON.stringify(pair.publicJwk),
  };
}

/** base64url of JSON, for a hand-tampered token. */
function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('mandate CLI: AAT chains', () => {
  let issuer: Party;
  let orchestrator: Party;
  let worker: Party;
  let root: string;
  let child: string;

  const verifyArgs = (token: string, proof: string, path: string): string[] => [
    'verify',
    '--mandate',
    token,
    '--anchor',
    `${ISSUER}=${issuer.pub}`,
    '--audience',
    AUD,
    '--proof',
    proof,
    '--tool',
    'read_file',
    '--args',
    JSON.stringify({ path }),
    '--now',
    String(NOW),
    '--require-pop-audience',
    '--max-depth',
    '3',
    '--max-lifetime',
    '1h',
    '--proof-window',
    '30',
  ];

  const proveArgs = (token: string, path: string): string[] => [
    'prove',
    '--mandate',
    token,
    '--signer',
    worker.key,
    '--tool',
    'read_file',
    '--args',
    JSON.stringify({ path }),
    '--audience',
    AUD,
    '--now',
    String(NOW),
  ];

  /** `mint` by the issuer, to the orchestrator (the tools and the rest follow). */
  const mintToOrchestrator = (): string[] => [
    'mint',
    '--issuer',
    issuer.key,
    '--issuer-id',
    ISSUER,
    '--holder',
    orchestrator.pub,
  ];

  beforeAll(async () => {
    [issuer, orchestrator, worker] = await Promise.all([party(), party(), party()]);
    root = await ok([
      ...mintToOrchestrator(),
      '--format',
      'aat',
      '--tools',
      JSON.stringify({
        read_file: { path: { constraint_type: 'one_of', values: ['/data/a', '/data/b'] } },
        search: {},
      }),
      '--audience',
      AUD,
      '--expires',
      '10m',
      '--max-depth',
      '2',
      '--now',
      String(NOW - 60),
    ]);
    child = await ok([
      'delegate',
      '--mandate',
      root,
      '--signer',
      orchestrator.key,
      '--holder',
      worker.pub,
      '--tools',
      JSON.stringify({ read_file: { path: { constraint_type: 'exact', value: '/data/a' } } }),
      '--now',
      String(NOW - 30),
    ]);
  }, 60_000);

  it('mint --format aat -> delegate -> prove -> verify is allowed', async () => {
    expect(root.split('.')[0]).toBe(
      Buffer.from('{"alg":"Ed25519","typ":"aat+jwt"}').toString('base64url'),
    );
    expect(child.split('~')).toHaveLength(2);
    const proof = await ok(proveArgs(child, '/data/a'));
    const header = JSON.parse(Buffer.from(proof.split('.')[0]!, 'base64url').toString()) as {
      typ: string;
    };
    expect(header.typ).toBe('aat-pop+jwt');
    const claims = JSON.parse(Buffer.from(proof.split('.')[1]!, 'base64url').toString()) as {
      aat_tool: string;
      aat_aud: string;
      hta: unknown;
    };
    expect(claims).toMatchObject({ aat_tool: 'read_file', aat_aud: AUD, hta: { path: '/data/a' } });

    const run = await cli(verifyArgs(child, proof, '/data/a'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      allowed: true,
      format: 'aat',
      subject: ISSUER,
      chain: [ISSUER, orchestrator.pair.id, worker.pair.id],
    });
  });

  it('a call outside the narrowed tools is denied at the hop that narrowed it (6b)', async () => {
    const proof = await ok(proveArgs(child, '/data/b'));
    const run = await cli(verifyArgs(child, proof, '/data/b'));
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      hop: 1,
      detail: { step: '6b' },
    });
  });

  it('a tampered leaf (widened after signing) is denied at its signature', async () => {
    const [rootToken, leaf] = child.split('~') as [string, string];
    const [header, payload, signature] = leaf.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      authorization_details: { tools: Record<string, unknown> }[];
    };
    claims.authorization_details[0]!.tools = {
      read_file: { path: { constraint_type: 'one_of', values: ['/data/a', '/data/b'] } },
    };
    const tampered = `${rootToken}~${header}.${b64(claims)}.${signature}`;
    const proof = await ok(proveArgs(tampered, '/data/b'));
    const run = await cli(verifyArgs(tampered, proof, '/data/b'));
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({
      allowed: false,
      code: 'MANDATE_SIGNATURE_INVALID',
      hop: 1,
    });
  });

  it('a proof for another enforcement point, or none, is denied (7d, 7a)', async () => {
    const other = await ok([
      ...proveArgs(child, '/data/a').filter((a) => a !== AUD && a !== '--audience'),
      '--audience',
      'https://elsewhere.example',
    ]);
    const wrongAud = await cli(verifyArgs(child, other, '/data/a'));
    expect(wrongAud.code).toBe(3);
    expect(JSON.parse(wrongAud.stdout)).toMatchObject({
      code: 'MANDATE_PROOF_INVALID',
      detail: { step: '7d' },
    });
    const args = verifyArgs(child, 'x', '/data/a');
    args.splice(args.indexOf('--proof'), 2);
    const missing = await cli(args);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout)).toMatchObject({ code: 'MANDATE_PROOF_MISSING' });
  });

  it('a widening delegation and a proof by a non-holder are refused with their codes', async () => {
    const [widen, thief] = await Promise.all([
      cli([
        'delegate',
        '--mandate',
        child,
        '--signer',
        worker.key,
        '--holder',
        orchestrator.pub,
        '--tools',
        JSON.stringify({ search: {} }),
      ]),
      cli([...proveArgs(child, '/data/a').map((a) => (a === worker.key ? orchestrator.key : a))]),
    ]);
    expect(widen.code).toBe(2);
    expect(widen.stderr).toContain('MANDATE_WIDENED');
    expect(thief.code).toBe(2);
    expect(thief.stderr).toContain('MANDATE_PROOF_INVALID');
  });

  it('inspect shows the AAT chain as tools, and says nothing is verified', async () => {
    const out = await ok(['inspect', child]);
    expect(out).toContain('NOT VERIFIED');
    expect(out).toContain('format: aat');
    expect(out).toContain(`subject: none in AAT; the authority is the root issuer's own grant`);
    expect(out).toMatch(/^block 0 {2}id \S+$/m);
    expect(out).toMatch(/^block 1 {2}id \S+$/m);
    expect(out).toContain('tool "search" (any arguments)');
    expect(out).toContain('tool "read_file" where {"path":{"constraint_type":"exact"');
    expect(out).toContain(`holder  ${worker.pair.id}`);
  });

  it('misuse is refused plainly: a subject on an AAT root, an unknown format', async () => {
    const base = [...mintToOrchestrator(), '--tools', '{"search":{}}'];
    const [subject, format] = await Promise.all([
      cli([...base, '--format', 'aat', '--subject', 'alice']),
      cli([...base, '--format', 'jwt']),
    ]);
    expect(subject.code).toBe(2);
    expect(subject.stderr).toContain('no subject');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format is "jwt"; expected jws, biscuit, aat');
  });
});

describeWithVectors(
  'aat',
  "mandate verify with the AAT draft's vectors and parameters as flags",
  (vectors) => {
    // One vector per verifier knob, and the plain PERMIT.
    const SAMPLE = ['J.1', 'J.6.1', 'J.6.5', 'J.6.6', 'J.6.10', 'J.20.4', 'J.21.4', 'J.21.5'];
    const file = readVectorFile<AatDraftVectorFile>(vectors.file).json;
    const { params } = file;
    const anchor = file.trust_anchors[0];

    it.each(SAMPLE)('%s reaches its verdict and step', async (id) => {
      const vector = file.vectors.find((v) => v.id === id);
      expect(vector, id).toBeDefined();
      if (vector === undefined || anchor === undefined) return;
      const run = await cli([
        'verify',
        '--mandate',
        vector.chain_compact.join('~'),
        '--anchor',
        `${anchor.iss}=${JSON.stringify(anchor.jwk)}`,
        '--audience',
        params.audience,
        '--proof',
        vector.pop.compact,
        '--tool',
        vector.tool,
        '--args',
        JSON.stringify(vector.args),
        '--now',
        String(vector.now),
        '--max-iat-skew',
        String(params.max_iat_skew),
        '--max-lifetime',
        String(params.max_token_lifetime),
        '--max-depth',
        String(params.max_delegation_depth),
        '--proof-window',
        String(params.pop_window),
        ...(vector.policy.require_chain_aud === true ? [] : ['--no-require-audience']),
        ...(vector.policy.require_pop_aud === true ? ['--require-pop-audience'] : []),
        ...(vector.policy.nonce === undefined ? [] : ['--nonce', vector.policy.nonce]),
      ]);
      expect(run.stderr).toBe('');
      const decision = JSON.parse(run.stdout) as { allowed: boolean; detail?: { step?: string } };
      if (vector.expected.verdict === 'PERMIT') {
        expect(run.code).toBe(0);
        expect(decision).toMatchObject({ allowed: true, format: 'aat' });
      } else {
        expect(run.code).toBe(3);
        expect(decision).toMatchObject({
          allowed: false,
          detail: { step: vector.expected.step },
        });
      }
    });
  },
);
