/** Checks every generated vector file gets: no drift from its generator, genuine test keys. */
import { expect, it } from 'vitest';
import { keyPairFromSeed } from './forge.js';

interface Named {
  readonly tcId: number;
  readonly name: string;
}

/**
 * Fails, naming the changed cases, when the generator's output differs from the committed
 * text (run `npm run vectors:generate` after a deliberate change).
 */
export function expectNoDrift(
  file: string,
  committedText: string,
  regenerated: string,
  committed: readonly Named[],
): void {
  if (regenerated === committedText) return;
  const fresh = (JSON.parse(regenerated) as { tests: Named[] }).tests;
  const changed = fresh
    .filter((c, i) => JSON.stringify(c) !== JSON.stringify(committed[i]))
    .map((c) => `${c.tcId} ${c.name}`);
  expect.fail(
    `test/vectors/${file} differs from the generator's output; changed cases: ${
      changed.join(', ') || '(header or case count)'
    }`,
  );
}

/** Every listed test key's seed derives its published public key and id. */
export function expectSeedKeys(
  keys: Readonly<Record<string, { seed: string; publicJwk: unknown; id: string }>>,
): void {
  for (const [name, key] of Object.entries(keys)) {
    const pair = keyPairFromSeed(key.seed);
    expect(pair.publicJwk, name).toEqual(key.publicJwk);
    expect(pair.id, name).toBe(key.id);
  }
}

/** A case list's shape: unique tcIds and names, a comment on each, and the declared count. */
export function expectCaseList(file: {
  readonly numberOfTests: number;
  readonly tests: readonly { tcId: number; name: string; comment: string }[];
}): void {
  expect(file.numberOfTests).toBe(file.tests.length);
  expect(new Set(file.tests.map((c) => c.tcId)).size).toBe(file.tests.length);
  expect(new Set(file.tests.map((c) => c.name)).size).toBe(file.tests.length);
  for (const c of file.tests) expect(c.comment.length, c.name).toBeGreaterThan(10);
}

/** A test key as the generated files list it. */
interface SeedKey {
  readonly seed: string;
  readonly publicJwk: unknown;
  readonly id: string;
}

/** A generated case-list file: its cases, its test keys and the verifier's trust anchor. */
interface GeneratedCaseFile {
  readonly numberOfTests: number;
  readonly tests: readonly { tcId: number; name: string; comment: string }[];
  readonly keys: { readonly anchor: SeedKey } & Readonly<Record<string, SeedKey>>;
  readonly verifier: { readonly trustAnchors: readonly { readonly publicJwk: unknown }[] };
}

/**
 * The three tests of a generated case-list file (`name` under test/vectors): no drift from
 * `generate`'s output, test keys (the anchor's first) derived from their seeds, and the case
 * list's shape, with `moreCaseChecks` of this file's own.
 */
export function itChecksGeneratedFile(
  name: string,
  committed: { readonly text: string; readonly json: GeneratedCaseFile },
  generate: () => Promise<string>,
  moreCaseChecks: () => void = () => undefined,
): void {
  const file = committed.json;
  it('has not drifted from the generator (run `npm run vectors:generate` after a deliberate change)', async () => {
    expectNoDrift(name, committed.text, await generate(), file.tests);
  });

  it('lists test keys whose seeds derive the published public keys and ids', () => {
    expectSeedKeys(file.keys);
    expect(file.verifier.trustAnchors[0]?.publicJwk).toEqual(file.keys.anchor.publicJwk);
  });

  it('has unique tcIds and names, a comment on every case, and the count it declares', () => {
    expectCaseList(file);
    moreCaseChecks();
  });
}
