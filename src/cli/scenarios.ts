/**
 * The demo's handshake and attacks, as data: user -> orchestrator -> billing agent ->
 * payment tool, and one scenario per attack of DESIGN.md section 1. `mandate demo`
 * prints them; the test suite runs every one on every format.
 */
import { delegate } from '../format/delegate.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { decodeJwsChain, encodeJwsBlock, parentHash } from '../format/jws/chain.js';
import { mint } from '../format/mint.js';
import { decodeChain } from '../format/parse.js';
import type { PlannedBlock } from '../format/plan.js';
import { generateKeyPair } from '../identity/keys.js';
import { prepareSigner } from '../identity/keys.js';
import { prove } from '../proof/prove.js';
import { MemoryRevocationStore } from '../stores/memory.js';
import { MandateError } from '../core/errors.js';
import type { Action, Format, KeyPair, Mandate } from '../core/types.js';
import { createVerifier, type Verifier } from '../verify/verifier.js';
import type { Decision } from '../verify/decision.js';
import type { DemoServerImplementation } from './authorization-server/demo-server-common.js';

/** The parties of the demo. */
export interface Cast {
  readonly format: Format;
  /** The root's issuer: the trust anchor id (the loopback authorization server's issuer). */
  readonly issuerId: string;
  /** Where the root grant came from, for the demo to print. */
  readonly rootSource: string;
  readonly authServer: KeyPair;
  readonly orchestrator: KeyPair;
  readonly billing: KeyPair;
  readonly runner: KeyPair;
  readonly attacker: KeyPair;
  /** alice -> orchestrator: invoices, read and pay up to 500 (the token the server issued). */
  readonly root: string;
  /** orchestrator -> billing: pay invoice 2026-03, up to 200. */
  readonly toBilling: Mandate;
  /** The billing agent's own grant, for its own work: pay any invoice up to 10,000. */
  readonly billingOwn: Mandate;
  readonly revocation: MemoryRevocationStore;
  readonly verifier: Verifier;
}

export const AUTH_SERVER = 'https://auth.example';
export const PAYMENTS = 'https://payments.example';

/** The outcome a scenario expects. */
export type Expected = { readonly allowed: true } | { readonly code: string; readonly hop: number };

export interface Scenario {
  readonly name: string;
  /** One line on what is attempted. */
  readonly story: string;
  readonly expected: Expected;
  run(cast: Cast): Promise<Decision>;
}

/** Options of `createCast`. */
export interface CastOptions {
  /**
   * Which loopback authorization server issues alice's root (default `auto`: oidc-provider
   * when it is installed, else the node:http server).
   */
  readonly authorizationServer?: DemoServerImplementation;
}

/** The environment variable that chooses the demo's authorization server. */
export const AUTHORIZATION_SERVER_ENV = 'MANDATE_DEMO_AUTHORIZATION_SERVER';

/** The authorization server the environment asks for (`auto` when unset). */
export function authorizationServerFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): DemoServerImplementation {
  const value = env[AUTHORIZATION_SERVER_ENV];
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'oidc-provider' || value === 'node-http') return value;
  throw new TypeError(`${AUTHORIZATION_SERVER_ENV} must be oidc-provider, node-http or auto`);
}

/** One phrase on which server ran, and why. */
export function describeServer(
  ran: 'oidc-provider' | 'node-http',
  asked: DemoServerImplementation,
): string {
  if (ran === 'oidc-provider') return 'oidc-provider';
  return asked === 'node-http'
    ? `the node:http server, as ${AUTHORIZATION_SERVER_ENV}=node-http asks`
    : 'the node:http server: oidc-provider, a devDependency, is not installed';
}

/** Set up the parties and the genuine chain. */
export async function createCast(format: Format, options: CastOptions = {}): Promise<Cast> {
  const [authServer, orchestrator, billing, runner, attacker] = (await Promise.all(
    Array.from({ length: 5 }, () => generateKeyPair()),
  )) as [KeyPair, KeyPair, KeyPair, KeyPair, KeyPair];
  const rootCapabilities = [
    {
      resource: 'billing:invoices/**',
      actions: ['read', 'pay'],
      constraints: { amount: { max: 500 } },
    },
  ];
  // alice's grant comes from a real authorization server on loopback: sign-in, then an
  // RFC 8693 token exchange. oidc-provider when it is installed (a devDependency), else the
  // node:http server with the same exchange handler; never minted in process.
  const implementation = options.authorizationServer ?? 'auto';
  const { obtainDemoRootMandate } = await import('./authorization-server/demo-grant.js');
  const granted = await obtainDemoRootMandate({
    format,
    mandateKey: authServer,
    orchestrator,
    capabilities: rootCapabilities,
    audience: PAYMENTS,
    implementation,
  });
  const { root, issuer: issuerId } = granted;
  const rootSource = `RFC 8693 token exchange at the loopback authorization server ${issuerId} (${describeServer(granted.implementation, implementation)})`;
  const toBilling = await delegate(root, {
    signer: orchestrator,
    holder: billing.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/2026-03',
        actions: ['pay'],
        constraints: { amount: { max: 200 } },
      },
    ],
    expiresIn: '5m',
  });
  const billingOwn = await mint({
    issuer: authServer,
    issuerId,
    subject: 'svc:billing-agent',
    holder: billing.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/**',
        actions: ['pay'],
        constraints: { amount: { max: 10_000 } },
      },
    ],
    audience: PAYMENTS,
    expiresIn: '1h',
    format,
  });
  const revocation = new MemoryRevocationStore();
  const verifier = createVerifier({
    trustAnchors: [{ id: issuerId, publicJwk: authServer.publicJwk }],
    audience: PAYMENTS,
    revocation,
  });
  return {
    format,
    issuerId,
    rootSource,
    authServer,
    orchestrator,
    billing,
    runner,
    attacker,
    root,
    toBilling,
    billingOwn,
    revocation,
    verifier,
  };
}

/** The HTTP request and the action of paying `amount` on `invoice`. */
function payment(
  invoice: string,
  amount: number,
): { request: { method: string; url: string }; action: Action } {
  return {
    request: { method: 'POST', url: `${PAYMENTS}/invoices/${invoice}/pay` },
    action: { resource: `billing:invoices/${invoice}`, action: 'pay', args: { amount } },
  };
}

/** Pay `invoice` for `amount` with `mandate`, proving with `signer`. */
async function pay(
  verifier: Verifier,
  mandate: Mandate | string,
  signer: KeyPair,
  invoice: string,
  amount: number,
): Promise<Decision> {
  const { request, action } = payment(invoice, amount);
  const token = typeof mandate === 'string' ? mandate : mandate.token;
  let proof: string;
  try {
    proof = await prove(token, { signer, request });
  } catch (error) {
    // `prove` refuses a signer that is not the last holder; a thief signs by hand.
    if (!(error instanceof MandateError)) throw error;
    proof = await forgeProof(token, signer, request);
  }
  return verifier.verify(token, { action, proof, request });
}

/** A proof signed by whoever holds `signer`, for a mandate it does not hold. */
async function forgeProof(
  token: string,
  signer: KeyPair,
  request: { method: string; url: string },
) {
  const { encodeSegment } = await import('../core/jws/compact.js');
  const { signBytes } = await import('../identity/keys.js');
  const { accessTokenHash } = await import('../proof/request.js');
  const { randomUUID } = await import('node:crypto');
  const prepared = prepareSigner(signer);
  const header = { typ: 'dpop+jwt', alg: prepared.alg, jwk: prepared.publicJwk };
  const claims = {
    jti: randomUUID(),
    htm: request.method,
    htu: request.url,
    iat: Math.floor(Date.now() / 1000),
    ath: accessTokenHash(token),
  };
  const input = `${encodeSegment(header)}.${encodeSegment(claims)}`;
  return `${input}.${signBytes(prepared, input).toString('base64url')}`;
}

/** A delegation block signed by the holder but wider than its parent, bypassing `delegate`. */
async function handBuiltWidening(cast: Cast): Promise<string> {
  const blocks = await decodeChain(cast.toBilling);
  const parent = blocks[blocks.length - 1];
  if (parent === undefined) throw new Error('no parent');
  const widened: PlannedBlock = {
    ...parent,
    id: 'widened-block',
    issuer: parent.holder,
    holder: cast.runner.id,
    holderJwk: { kty: 'OKP', crv: 'Ed25519', x: (cast.runner.publicJwk as { x: string }).x },
    capabilities: [{ resource: 'billing:invoices/**', actions: ['pay', 'refund'] }],
    depth: parent.depth + 1,
  };
  if (cast.format === 'biscuit') {
    const { appendBiscuitBlock } = await import('../format/biscuit/encode.js');
    return appendBiscuitBlock(cast.toBilling.token, widened, prepareSigner(cast.billing));
  }
  const jwsParent = decodeJwsChain(cast.toBilling.token, DEFAULT_LIMITS)[blocks.length - 1];
  if (jwsParent === undefined) throw new Error('no parent');
  return `${cast.toBilling.token}~${encodeJwsBlock(
    widened,
    blocks.length,
    prepareSigner(cast.billing),
    {
      parHash: parentHash(jwsParent),
    },
  )}`;
}

/** Every scenario of the demo, in the order it prints them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'genuine call',
    story: 'billing agent pays invoice 2026-03 (120) for alice, proving possession',
    expected: { allowed: true },
    run: (c) => pay(c.verifier, c.toBilling, c.billing, '2026-03', 120),
  },
  {
    name: 'spoofed identity',
    story: 'attacker mints its own root claiming to be the authorization server',
    expected: { code: 'MANDATE_SIGNATURE_INVALID', hop: 0 },
    async run(c) {
      const forged = await mint({
        issuer: c.attacker,
        issuerId: c.issuerId,
        subject: 'alice',
        holder: c.attacker.publicJwk,
        capabilities: [{ resource: 'billing:**', actions: ['pay'] }],
        audience: PAYMENTS,
        expiresIn: '5m',
        format: c.format,
      });
      return pay(c.verifier, forged, c.attacker, '2026-03', 120);
    },
  },
  {
    name: 'over-scoped request',
    story: 'billing agent asks to pay 300 where its hop allows 200',
    expected: { code: 'MANDATE_FORBIDDEN', hop: 1 },
    run: (c) => pay(c.verifier, c.toBilling, c.billing, '2026-03', 300),
  },
  {
    name: 'widening attempt',
    story: 'billing agent hand-builds a block granting refund on every invoice',
    expected: { code: 'MANDATE_WIDENED', hop: 2 },
    async run(c) {
      const token = await handBuiltWidening(c);
      return pay(c.verifier, token, c.runner, '2026-03', 120);
    },
  },
  {
    name: 'stolen chain',
    story: "attacker presents the billing agent's mandate with its own proof",
    expected: { code: 'MANDATE_PROOF_INVALID', hop: 1 },
    run: (c) => pay(c.verifier, c.toBilling, c.attacker, '2026-03', 120),
  },
  {
    name: 'replayed proof',
    story: 'a captured request (mandate and proof) is sent a second time',
    expected: { code: 'MANDATE_REPLAYED', hop: 1 },
    async run(c) {
      const { request, action } = payment('2026-03', 120);
      const proof = await prove(c.toBilling, { signer: c.billing, request });
      const first = await c.verifier.verify(c.toBilling, { action, proof, request });
      if (!first.allowed) return first;
      return c.verifier.verify(c.toBilling, { action, proof, request });
    },
  },
  {
    name: 'truncated chain',
    story: 'the middle block of orchestrator -> billing -> runner is cut out',
    // The orphaned block is not signed by its new parent's holder: linkage fails there.
    expected: { code: 'MANDATE_SIGNATURE_INVALID', hop: 1 },
    async run(c) {
      const toRunner = await delegate(c.toBilling, {
        signer: c.billing,
        holder: c.runner.publicJwk,
      });
      const { spliceBlocks } = await import('../testing/mutators.js');
      const cut = await spliceBlocks(toRunner.token, (blocks) => [blocks[0], blocks[2]]);
      return pay(c.verifier, cut, c.runner, '2026-03', 120);
    },
  },
  {
    name: 'wrong audience',
    story: 'a mandate for the payment service is presented to the HR service',
    expected: { code: 'MANDATE_AUDIENCE', hop: 0 },
    run: (c) =>
      pay(
        createVerifier({
          trustAnchors: [{ id: c.issuerId, publicJwk: c.authServer.publicJwk }],
          audience: 'https://hr.example',
        }),
        c.toBilling,
        c.billing,
        '2026-03',
        120,
      ),
  },
  {
    name: 'revoked hop',
    story: "alice's orchestrator revokes the billing agent's hop",
    expected: { code: 'MANDATE_REVOKED', hop: 1 },
    async run(c) {
      const id = c.toBilling.blocks[1]?.id;
      if (id === undefined) throw new Error('no block 1');
      const revocation = new MemoryRevocationStore();
      await revocation.revoke(id);
      const verifier = createVerifier({
        trustAnchors: [{ id: c.issuerId, publicJwk: c.authServer.publicJwk }],
        audience: PAYMENTS,
        revocation,
      });
      return pay(verifier, c.toBilling, c.billing, '2026-03', 120);
    },
  },
  {
    name: 'confused deputy',
    story: "billing agent pays invoice 2026-04 on alice's chain (its own grant would allow it)",
    expected: { code: 'MANDATE_FORBIDDEN', hop: 1 },
    run: (c) => pay(c.verifier, c.toBilling, c.billing, '2026-04', 120),
  },
];

/** Whether a decision is what a scenario expects. */
export function meetsExpectation(decision: Decision, expected: Expected): boolean {
  if ('allowed' in expected) return decision.allowed;
  return !decision.allowed && decision.code === expected.code && decision.hop === expected.hop;
}
