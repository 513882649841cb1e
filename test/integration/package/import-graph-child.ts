/**
 * The child process of `import-graph.test.ts`: records every module the loader resolves
 * (`import` and `require` alike), imports `mandate`, then makes genuine JWS and Biscuit
 * mandates and reaches a first decision on each, then hands the algebra one malformed
 * capability. Prints what was loaded at each step, as JSON.
 */
import * as nodeModule from 'node:module';
import type * as Mandate from '../../../src/index.js';

/** `module.registerHooks` (Node ≥ 22.15; the project's @types/node predates it). */
interface ResolveResult {
  readonly url: string;
}
const { registerHooks } = nodeModule as unknown as {
  registerHooks(
    this: void,
    hooks: {
      resolve(
        specifier: string,
        context: unknown,
        next: (s: string, c: unknown) => ResolveResult,
      ): ResolveResult;
    },
  ): void;
};

const resolved: string[] = [];
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    resolved.push(result.url);
    return result;
  },
});
const seen = (): string[] => [...resolved];

const entry = process.argv[2] ?? '';
const m = (await import(entry)) as typeof Mandate;
const afterImport = seen();

const AUD = 'https://graph.example';
const REQUEST = { method: 'POST', url: `${AUD}/pay` } as const;
const ACTION = { resource: 'billing:invoices/1', action: 'pay', args: { amount: 10 } } as const;
const decisions: Record<string, { allowed: boolean; code?: string }> = {};
const [anchor, a0, a1] = [
  await m.generateKeyPair(),
  await m.generateKeyPair(),
  await m.generateKeyPair(),
];
for (const format of ['jws', 'biscuit'] as const) {
  const root = await m.mint({
    issuer: anchor,
    issuerId: 'https://as.graph.example',
    subject: 'alice',
    holder: a0.publicJwk,
    capabilities: [
      { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 500 } } },
    ],
    expiresIn: 600,
    audience: AUD,
    format,
  });
  const chain = await m.delegate(root, { signer: a0, holder: a1.publicJwk });
  const proof = await m.prove(chain, { signer: a1, request: REQUEST });
  const verifier = m.createVerifier({
    trustAnchors: [{ id: 'https://as.graph.example', publicJwk: anchor.publicJwk }],
    audience: AUD,
  });
  const d = await verifier.verify(chain.token, { action: ACTION, proof, request: REQUEST });
  decisions[format] = d.allowed ? { allowed: true } : { allowed: false, code: d.code };
}
const algebra = m.isSubset(
  [{ resource: 'billing:invoices/1', actions: ['pay'], constraints: { amount: { eq: 10 } } }],
  [{ resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 500 } } }],
);
const afterDecisions = seen();

let malformed: Record<string, unknown> = {};
try {
  m.isSubset([{ resource: 'billing:x', actions: 'pay' } as never], []);
} catch (error) {
  malformed = m.isMandateError(error)
    ? { code: error.code, check: error.check, path: error.detail['path'] }
    : { error: String(error) };
}
const afterMalformed = seen();

process.stdout.write(
  JSON.stringify({ afterImport, afterDecisions, afterMalformed, decisions, algebra, malformed }),
);
