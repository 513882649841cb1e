/**
 * RFC 8725 attack vectors (test/vectors/rfc8725.json): (a) the committed file is exactly what
 * scripts/generate-rfc8725-vectors.ts produces, and (b) every vector reaches its expected
 * decision through the real checker of its target (`createVerifier`,
 * `createAccessTokenVerifier`, `verifyAgentCard`): genuine inputs are accepted, every attack
 * is denied with exactly its code, check and hop, and nothing throws uncoded.
 */
import { describe, expect, it } from 'vitest';
import {
  generateRfc8725Vectors,
  RFC8725_PATH,
  type Rfc8725File,
} from '../../scripts/generate-rfc8725-vectors.js';
import { renderVectors } from '../../scripts/vector-file.js';
import { runVector } from '../helpers/rfc8725-checker.js';
import { expectSeedKeys } from '../helpers/vector-file.js';
import { readVectorFile } from '../helpers/vectors.js';

const { text: committedText, json: file } = readVectorFile<Rfc8725File>(RFC8725_PATH);

describe('rfc8725.json: the file', () => {
  it('has not drifted from the generator (run `npm run vectors:generate` after a deliberate change)', async () => {
    const regenerated = renderVectors(await generateRfc8725Vectors());
    if (regenerated !== committedText) {
      const fresh = (JSON.parse(regenerated) as Rfc8725File).tests;
      const changed = fresh
        .filter((v, i) => JSON.stringify(v) !== JSON.stringify(file.tests[i]))
        .map((v) => v.id);
      expect.fail(
        `test/vectors/rfc8725.json differs from the generator's output; changed: ${
          changed.join(', ') || '(header or vector count)'
        }`,
      );
    }
  });

  it('lists test keys whose seeds derive the published public keys and ids', () => {
    expectSeedKeys(file.keys);
  });

  it('has unique ids, one genuine vector per target, and every class against every target', () => {
    expect(file.numberOfTests).toBe(file.tests.length);
    expect(new Set(file.tests.map((v) => v.id)).size).toBe(file.tests.length);
    for (const target of Object.keys(file.targets)) {
      const mine = file.tests.filter((v) => v.target === target);
      expect(
        mine.filter((v) => v.result === 'valid').map((v) => v.id),
        target,
      ).toEqual([`${target}/genuine`]);
      const classes = new Set(mine.map((v) => v.class));
      for (const attackClass of [
        'alg-none',
        'hs256-public-key',
        'key-injection',
        'typ-confusion',
        'crit',
        'b64-false',
        'duplicate-members',
        '__proto__',
        'non-canonical-base64url',
        'trailing-data',
      ]) {
        expect(classes.has(attackClass), `${target} ${attackClass}`).toBe(true);
      }
      if (file.targets[target]?.kind !== 'agent-card') {
        // A detached payload has no payload segment to nest in or to number.
        expect(classes.has('nested-jws'), `${target} nested-jws`).toBe(true);
        expect(classes.has('big-integers'), `${target} big-integers`).toBe(true);
      }
    }
  });

  it('states an exact denial for every attack', () => {
    for (const v of file.tests) {
      if (v.result === 'valid') continue;
      expect(v.expected, v.id).not.toBeNull();
      expect(v.expected?.code, v.id).toMatch(/^MANDATE_[A-Z_]+$/);
    }
  });
});

describe('rfc8725.json: every vector through its real checker', () => {
  for (const v of file.tests) {
    it(`${v.id}: ${v.comment}`, async () => {
      const outcome = await runVector(file, v);
      if (v.result === 'valid') expect(outcome, v.id).toEqual({ allowed: true });
      else expect(outcome, v.id).toEqual({ allowed: false, ...v.expected });
    });
  }
});
