/**
 * Finding 12 of issue 11: "exported, mutable rule tables". After `RULES[1].run = async () =>
 * {}` a verifier allowed a root signed by an untrusted key. Nothing that decides may be
 * reachable and mutable from outside: this test imports every entry point of package.json
 * `exports`, tries to change everything reachable from every export (assign, delete, define,
 * push, patch class prototypes), and then shows that verifiers made before and after still
 * deny an untrusted root and still allow a genuine request.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDeepFrozen } from '../../src/core/freeze.js';
import { createVerifier, mint, prove, type Verifier } from '../../src/index.js';
import {
  ANCHOR_ID,
  AUDIENCE,
  NOW,
  READ,
  REQUEST,
  chainOf,
  createWorld,
} from '../helpers/fixture.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { import?: string }>;
};

/** Each package.json entry point, as the source module its dist file is built from. */
const ENTRIES = Object.entries(pkg.exports).flatMap(([name, target]) => {
  const file = typeof target === 'string' ? target : target.import;
  if (file === undefined || !file.endsWith('.js')) return [];
  return [
    { name, source: join(ROOT, file.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')) },
  ];
});

// Sabotage: a no-op in place of any function (the shape of the original attack), and junk.
const noop = function sabotaged(): undefined {
  return undefined;
};
const SABOTAGE: readonly unknown[] = [noop, undefined, null, 0, 'x', []];

/** zod schemas cannot be frozen: only their top-level methods are tried (see schema.ts). */
const isZod = (value: object): boolean => '_zod' in value;
/**
 * fast-check arbitraries (`mandate/testing`'s `arbMutation`) keep state as they generate, so
 * they cannot be frozen; they generate test data and decide nothing.
 */
const isArbitrary = (value: object): boolean => value instanceof fc.Arbitrary;
const isClass = (value: unknown): boolean =>
  typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));

function attempt(change: () => unknown): void {
  try {
    change();
  } catch {
    // A frozen target throws in strict mode: that is the outcome wanted.
  }
}

/** Tries every mutation on everything reachable from `root` through own properties. */
function sabotage(root: unknown): void {
  const seen = new Set<unknown>();
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined) break;
    const { value, depth } = item;
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) continue;
    if (seen.has(value) || depth > 8) continue;
    seen.add(value);
    const target = value as Record<PropertyKey, unknown>;
    const shallow = isZod(target);
    for (const key of Reflect.ownKeys(target)) {
      const d = Object.getOwnPropertyDescriptor(target, key) as
        { value?: unknown; get?: unknown; set?: unknown } | undefined;
      if (d === undefined) continue;
      if (!shallow) {
        for (const member of 'value' in d ? [d.value] : [d.get, d.set])
          stack.push({ value: member, depth: depth + 1 });
      }
      for (const junk of SABOTAGE) attempt(() => (target[key] = junk));
      attempt(() => Object.defineProperty(target, key, { value: noop }));
      if (!shallow) attempt(() => delete target[key]);
    }
    attempt(() => (target['injected'] = noop));
    attempt(() => Object.defineProperty(target, Symbol.hasInstance, { value: () => true }));
    attempt(() => Object.setPrototypeOf(target, null));
    if (Array.isArray(target)) {
      const list = target as unknown[];
      attempt(() => list.push(noop));
      attempt(() => list.unshift(noop));
      attempt(() => list.reverse());
      attempt(() => list.splice(1, 1));
      attempt(() => (list.length = 0));
    }
    if (typeof target === 'function') {
      const proto = (target as { prototype?: unknown }).prototype;
      stack.push({ value: proto, depth: depth + 1 });
    }
  }
}

const world = await createWorld();
const [a0] = world.agents;
const genuine = await chainOf(world, 0);
// The same root under the anchor's name, signed by a key that is not the anchor's.
const untrusted = await mint({
  issuer: world.stranger,
  issuerId: ANCHOR_ID,
  subject: 'alice',
  holder: a0.publicJwk,
  capabilities: [{ resource: 'docs:**', actions: ['read'] }],
  expiresIn: 600,
  audience: AUDIENCE,
  now: NOW,
});
// Proofs made before anything is tampered with: the test is about the verifier.
const proofs = await Promise.all(
  Array.from({ length: 4 }, (_, i) =>
    prove(i % 2 === 0 ? genuine : untrusted, { signer: a0, request: REQUEST, now: NOW }),
  ),
);

function makeVerifier(): Verifier {
  return createVerifier({
    trustAnchors: [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk }],
    audience: AUDIENCE,
    clock: () => NOW,
  });
}

const before = makeVerifier();
const modules = await Promise.all(
  ENTRIES.map(async ({ name, source }) => ({
    name,
    exports: Object.entries((await import(pathToFileURL(source).href)) as object),
  })),
);

describe('nothing mutable is exported (issue 11, finding 12)', () => {
  it('covers every entry point of package.json', () => {
    expect(modules.map((m) => m.name)).toContain('.');
    expect(modules.length).toBeGreaterThanOrEqual(9);
  });

  it('deep-freezes every exported object and class', () => {
    const mutable: string[] = [];
    for (const { name, exports } of modules) {
      for (const [key, value] of exports) {
        if (typeof value === 'object' && value !== null && (isZod(value) || isArbitrary(value)))
          continue;
        const mustFreeze = (typeof value === 'object' && value !== null) || isClass(value);
        if (mustFreeze && !isDeepFrozen(value)) mutable.push(`${name}#${key}`);
      }
    }
    expect(mutable).toEqual([]);
  });

  it('regression: RULES[1].run = async () => {} cannot switch off the anchor check', async () => {
    const { RULES } = await import('../../src/verify/rules.js');
    expect(() => {
      (RULES[1] as { run: unknown }).run = async () => {};
    }).toThrow(TypeError);
  });

  it('after every export is tampered with, verifiers still decide as before', async () => {
    for (const { exports } of modules) for (const [, value] of exports) sabotage(value);
    const after = makeVerifier();
    for (const [i, verifier] of [before, after].entries()) {
      expect(
        await verifier.verify(genuine, {
          action: READ,
          proof: proofs[2 * i] ?? '',
          request: REQUEST,
        }),
      ).toMatchObject({ allowed: true, subject: 'alice' });
      expect(
        await verifier.verify(untrusted, {
          action: READ,
          proof: proofs[2 * i + 1] ?? '',
          request: REQUEST,
        }),
      ).toMatchObject({
        allowed: false,
        code: 'MANDATE_SIGNATURE_INVALID',
        hop: 0,
        check: 'anchor',
      });
    }
  });
});
