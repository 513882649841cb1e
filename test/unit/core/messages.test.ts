/**
 * Every message a user meets names the input, what was expected and, where it helps, what to
 * do: the closed-world rule where it bites, a constraint denial's value and limit, a widening's
 * argument, a plain JWT, a public key where a private one is needed, a damaged Biscuit (one
 * plain prefix), and AAT draft step labels only on AAT denials.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createDeputy,
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  parseMandate,
  prove,
  type KeyPair,
} from '../../../src/index.js';
import { describeConstraint, explainViolation } from '../../../src/core/explain.js';
import { normalizeConstraint } from '../../../src/core/constraint/parse.js';

const NOW = 1_800_000_000;
const AUD = 'https://payments.example';
const ANCHOR = 'https://as.example';
/** jwt.io's HS256 example token. */
const JWT_IO =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
/** The README's capability: its constraint applies to both actions. */
const README_CAPS = [
  {
    resource: 'billing:invoices/*',
    actions: ['read', 'pay'],
    constraints: { amount: { max: 500 } },
  },
];

/** What `promise` rejects with (undefined when it resolves: the expectations then fail). */
const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

let as: KeyPair;
let agent: KeyPair;
let worker: KeyPair;

beforeAll(async () => {
  [as, agent, worker] = await Promise.all([
    generateKeyPair(),
    generateKeyPair(),
    generateKeyPair(),
  ]);
});

function verifier() {
  return createVerifier({
    trustAnchors: [{ id: ANCHOR, publicJwk: as.publicJwk }],
    audience: AUD,
    clock: () => NOW,
    requireProof: false,
  });
}

async function root(format: 'jws' | 'biscuit' = 'jws', capabilities = README_CAPS) {
  return mint({
    issuer: as,
    issuerId: ANCHOR,
    subject: 'alice',
    holder: agent.publicJwk,
    capabilities,
    expiresIn: 600,
    audience: AUD,
    now: NOW,
    format,
  });
}

describe('the closed-world rule, said where it bites', () => {
  it("a read under the README's capability: 'amount' is required, and why, and what to do", async () => {
    const decision = await verifier().verify(await root(), {
      action: { resource: 'billing:invoices/42', action: 'read' },
    });
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      hop: 0,
      check: 'authorize',
      detail: { problems: [{ arg: 'amount', why: 'missing' }] },
    });
    if (decision.allowed) return;
    expect(decision.reason).toContain("argument 'amount' is required");
    expect(decision.reason).toContain('every one of its actions: pay, read');
    expect(decision.reason).toContain('a capability of their own');
    expect(decision.detail).not.toHaveProperty('step');
  });

  it('an argument the capability does not name: refused, and how to allow it', async () => {
    const decision = await verifier().verify(await root(), {
      action: { resource: 'billing:invoices/42', action: 'pay', args: { amount: 1, memo: 'x' } },
    });
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      hop: 0,
      check: 'authorize',
    });
    if (decision.allowed) return;
    expect(decision.reason).toContain("argument 'memo' is not allowed");
    expect(decision.reason).toContain("constrains 'amount'");
    expect(decision.reason).toContain('"constraint_type":"wildcard"');
  });

  it("deputy.call with an argument the caller's mandate does not constrain names it", async () => {
    const deputy = createDeputy({ mandate: await root(), signer: agent });
    const target = { audience: AUD, send: () => Promise.resolve('sent') };
    const error = await rejection(
      deputy.call(
        target,
        { resource: 'billing:invoices/42', action: 'pay' },
        { invoice: '42', amount: 120 },
      ),
    );
    expect(error).toMatchObject({
      code: 'MANDATE_WIDENED',
      hop: 1,
      check: 'narrowing',
      detail: { argument: 'invoice', resource: 'billing:invoices/42', action: 'pay' },
    });
    const message = (error as Error).message;
    expect(message).toContain('block 1: grants more than block 0 holds');
    expect(message).toContain("argument 'invoice'");
    expect(message).toContain('arguments are closed-world');
  });

  it('a delegation that drops a constraint names the argument to keep', async () => {
    const error = await rejection(
      delegate(await root(), {
        signer: agent,
        holder: worker.publicJwk,
        capabilities: [{ resource: 'billing:invoices/*', actions: ['pay'] }],
        now: NOW,
      }),
    );
    expect(error).toMatchObject({ code: 'MANDATE_WIDENED', hop: 1, check: 'narrowing' });
    expect((error as Error).message).toContain("leaves argument 'amount' unconstrained");
  });
});

describe('a constraint denial shows the value and the limit', () => {
  it("argument 'amount' is 300, above the limit 200", async () => {
    const mandate = await root('jws', [
      { resource: 'billing:invoices/*', actions: ['pay'], constraints: { amount: { max: 200 } } },
    ]);
    const decision = await verifier().verify(mandate, {
      action: { resource: 'billing:invoices/42', action: 'pay', args: { amount: 300 } },
    });
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      hop: 0,
      check: 'authorize',
      detail: {
        problems: [{ arg: 'amount', why: 'constraint', expected: 'a number at most 200' }],
      },
    });
    if (decision.allowed) return;
    expect(decision.reason).toBe(
      "block 0 does not allow this: argument 'amount' is 300, above the limit 200",
    );
  });

  it.each([
    [{ min: 10 }, 3, "argument 'x' is 3, below the minimum 10"],
    [{ in: ['a', 'b'] }, 'c', 'argument \'x\' is "c"; expected one of "a", "b"'],
    [{ eq: 'a' }, 'b', 'argument \'x\' is "b"; expected exactly "a"'],
    [{ glob: 'inv/*' }, 'x/1', 'argument \'x\' is "x/1"; expected a string matching "inv/*"'],
    [{ max: 5 }, 'five', 'argument \'x\' is "five"; expected a number at most 5'],
  ] as const)('%o with %o: %s', (constraint, value, message) => {
    expect(explainViolation('x', normalizeConstraint(constraint), value)).toBe(message);
  });

  it('a long value is cut, never echoed whole', () => {
    const text = explainViolation('x', normalizeConstraint({ eq: 'a' }), 'v'.repeat(10_000));
    expect(text.length).toBeLessThan(200);
    expect(describeConstraint(normalizeConstraint({ in: [1, 2, 3, 4, 5, 6, 7] }))).toContain(
      '7 values',
    );
  });
});

describe('foreign and damaged input', () => {
  it('a plain JWT (jwt.io HS256) is "a JWT, not a mandate"', async () => {
    const error = await rejection(parseMandate(JWT_IO));
    expect(error).toMatchObject({ code: 'MANDATE_MALFORMED', hop: 0, check: 'limits' });
    expect((error as Error).message).toBe(
      'block 0: a JWT (typ "JWT", alg "HS256"), not a mandate: expected typ mandate-root+jwt or mandate-delegation+jwt',
    );
    const decision = await verifier().verify(JWT_IO, { action: { resource: 'a:b', action: 'x' } });
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      hop: 0,
      check: 'limits',
    });
    if (!decision.allowed) expect(decision.reason).toContain('not a mandate');
  });

  it('a Biscuit with one changed character: one plain prefix, no protobuf jargon', async () => {
    const { token } = await root('biscuit');
    const reasons = new Set<string>();
    for (let i = 4; i < token.length; i += Math.ceil(token.length / 60)) {
      const bad = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      const decision = await verifier().verify(bad, {
        action: { resource: 'billing:invoices/42', action: 'pay', args: { amount: 1 } },
      });
      expect(decision.allowed, `position ${i}`).toBe(false);
      if (!decision.allowed) reasons.add(decision.reason);
    }
    for (const reason of reasons) {
      expect(reason).not.toMatch(/block (\d+): block \1/);
      expect(reason).not.toMatch(/has wire \d/);
    }
    expect([...reasons].some((r) => r.includes('was changed or cut'))).toBe(true);
  });

  it('a public key where a private one is needed says so', async () => {
    const error = await rejection(
      mint({
        issuer: { privateKey: as.publicJwk, publicJwk: as.publicJwk, id: as.id },
        subject: 'alice',
        holder: agent.publicJwk,
        capabilities: README_CAPS,
        expiresIn: 60,
      }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(
      /^privateKey is a public JWK \(it has no "d"\): signing needs the private key/,
    );
  });

  it('a missing subject names the input and which roots need it', async () => {
    const error = await rejection(
      mint({ issuer: as, holder: agent.publicJwk, capabilities: README_CAPS, expiresIn: 60 }),
    );
    expect(error).toMatchObject({
      code: 'MANDATE_MALFORMED',
      check: 'limits',
      detail: { path: 'subject' },
    });
    expect((error as Error).message).toContain(
      'subject is missing: a jws root names the user it acts for',
    );
  });
});

describe('AAT draft step labels only on AAT denials', () => {
  it('a JWS proof-of-possession denial carries no step; the check names the rule', async () => {
    const mandate = await root();
    const strict = createVerifier({
      trustAnchors: [{ id: ANCHOR, publicJwk: as.publicJwk }],
      audience: AUD,
      clock: () => NOW,
    });
    const request = { method: 'GET', url: `${AUD}/invoices/42` };
    // A proof for another URL: rule 8 denies it (htu).
    const proof = await prove(mandate, {
      signer: agent,
      request: { method: 'GET', url: `${AUD}/elsewhere` },
      now: NOW,
    });
    const decision = await strict.verify(mandate, {
      proof,
      request,
      action: { resource: 'billing:invoices/42', action: 'pay', args: { amount: 1 } },
    });
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_PROOF_INVALID',
      check: 'possession',
    });
    if (!decision.allowed) expect(decision.detail).not.toHaveProperty('step');
  });
});
