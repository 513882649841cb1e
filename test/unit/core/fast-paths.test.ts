/**
 * The verifier's fast paths decide exactly as the reference checks they stand in front of:
 * - `parseJsonObject` (key counting instead of a Set per object) against the plain
 *   "scan for duplicates and depth, then JSON.parse" it replaced;
 * - `claimsPlainlyValid` (a quick test before the zod claims schema): whatever it accepts,
 *   the schema accepts with the same values, and it accepts the ordinary blocks;
 * - the DPoP and invocation-proof claims and public JWK quick tests, likewise against their
 *   zod schemas;
 * - the verifier's block cache (keyed by signature segment) serves only the exact same text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authorize,
  authorizeEach,
  findWidening,
  normalizeCapabilities,
} from '../../../src/core/capability.js';
import { findJsonProblem, parseJsonObject } from '../../../src/core/json-text.js';
import { MandateError } from '../../../src/core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../../src/core/limits.js';
import { claimsPlainlyValid, schemaFor } from '../../../src/format/jws/block.js';
import {
  minimalJwk,
  parsePublicJwk,
  publicJwkSchema,
  type PublicJwk,
} from '../../../src/identity/jwk.js';
import {
  dpopClaimsPlainlyValid,
  invocationClaimsPlainlyValid,
  proofClaimsSchema,
} from '../../../src/proof/check.js';
import { arbAction, arbCapabilities, arbNarrowing } from '../../../src/testing/arbitraries.js';
import { NUM_RUNS } from '../../../src/testing/config.js';
import { chainOf, createWorld, verifierFor, verifyWith } from '../../helpers/fixture.js';
import { blocksOf, decodeJws, segment } from '../../helpers/forge.js';
import { firstIssue } from '../../../src/core/schemas.js';

const RUNS = Math.max(NUM_RUNS, 500);

/**
 * The reference: the parse as it was before the counting fast path (with a top-level
 * `__proto__` member refused, as parseJsonObject refuses it since the RFC 8725 vectors).
 */
function referenceParse(text: string, maxDepth = 32): Record<string, unknown> {
  const fail = (problem: string): never => {
    throw new MandateError('MANDATE_MALFORMED', `x: ${problem}`, {
      check: 'limits',
      hop: 0,
      detail: { path: 'x' },
    });
  };
  const problem = findJsonProblem(text, maxDepth, true, true);
  if (problem !== undefined) fail(problem);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('must be a JSON object');
  return value as Record<string, unknown>;
}

function outcome(
  run: () => unknown,
): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** JSON texts with the problems the parser must find: duplicates, escapes, depth, damage. */
const arbJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.json({ maxDepth: 4 }).map((text) => `{"a":${text},"b":1}`),
  // A duplicate key, plain or escaped, at the top or nested.
  fc
    .tuple(fc.json({ maxDepth: 2 }), fc.constantFrom('"k"', '"\\u006b"', '"k\\n"'))
    .map(([text, key]) => `{"k":${text},"x":{"k":1,${key}:2},${key}:3}`),
  fc
    .tuple(fc.json({ maxDepth: 2 }), fc.constantFrom('"k"', '"\\u006b"', '"__proto__"'))
    .map(([text, key]) => `{"k":${text},${key}:${text}}`),
  // Nesting around the limit.
  fc
    .integer({ min: 28, max: 36 })
    .chain((depth) =>
      fc
        .constantFrom('{"a":', '[')
        .map((open) => `{"z":${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}}`),
    ),
  // Damage: a character dropped, duplicated or replaced.
  fc
    .tuple(
      fc.json({ maxDepth: 3 }).map((text) => `{"a":${text},"b":"\\"q\\\\"}`),
      fc.nat(),
      fc.constantFrom('', '"', '\\', '{', '}', '[', ']', ',', ':'),
    )
    .map(([text, at, insert]) => {
      const i = at % text.length;
      return text.slice(0, i) + insert + text.slice(i + 1);
    }),
);

describe('parseJsonObject decides as the plain scan-then-parse', () => {
  it('on generated texts', () => {
    fc.assert(
      fc.property(arbJsonText, (text) => {
        expect(outcome(() => parseJsonObject(text, 'x', 'limits', 0))).toEqual(
          outcome(() => referenceParse(text)),
        );
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('reads strings with quotes and backslashes as JSON does (an independent oracle)', () => {
    // Strings written by JSON.stringify: escaped quotes, runs of backslashes, `":` inside.
    const arbText = fc.string({
      unit: fc.constantFrom('"', '\\', ':', ',', '{', '}', 'k', '\n', '\u00e9', '\u202e'),
      maxLength: 12,
    });
    fc.assert(
      fc.property(arbText, arbText, fc.boolean(), (first, other, same) => {
        const second = same ? first : other;
        const keys = `{${JSON.stringify(first)}:1,"x":${JSON.stringify(second)},${JSON.stringify(second)}:2}`;
        const result = outcome(() => parseJsonObject(keys, 'x', 'limits', 0));
        const duplicate = first === second || second === 'x';
        expect(result.ok).toBe(!duplicate && first !== '__proto__' && second !== '__proto__');
        if (result.ok) expect(result.value).toEqual(JSON.parse(keys));
      }),
      { numRuns: RUNS },
    );
  });

  it('on the cases that matter by hand', () => {
    for (const text of [
      '{"a":1,"a":2}',
      '{"a":1,"\\u0061":2}',
      '{"a":{"b":1,"b":1}}',
      '{"a":[{"b":1},{"b":1}]}',
      '{"__proto__":1,"__proto__":2}',
      '{"__proto__":{"a":1}}',
      '{"a":1,"b":2,}',
      '{"a":1',
      '{"a":"\\"}',
      '[1,2]',
      '"text"',
      '{}',
      `{"a":${'['.repeat(31)}${']'.repeat(31)}}`,
      `{"a":${'['.repeat(32)}${']'.repeat(32)}}`,
      `{"a":1,"a":${'['.repeat(40)}`,
    ]) {
      expect(
        outcome(() => parseJsonObject(text, 'x', 'limits', 0)),
        text,
      ).toEqual(outcome(() => referenceParse(text)));
    }
  });
});

/**
 * Object texts written key by key (never through JSON.stringify, so duplicates survive): a tiny
 * key alphabet with escaped spellings of the same key and `__proto__`, at every level and in
 * arrays of objects, so that duplicates meet and nest in every arrangement.
 */
const arbAdversarialText: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('1', '"s"', 'null', '"{\\"a\\":1}"'),
      tie('object'),
      fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
    ),
    object: fc
      .array(
        fc.tuple(
          fc.constantFrom('"a"', '"\\u0061"', '"b"', '"__proto__"', '"__pro\\u0074o__"', '"a\\""'),
          tie('value'),
        ),
        { maxLength: 4 },
      )
      .map((members) => `{${members.map(([k, v]) => `${k}:${v}`).join(',')}}`),
  }),
).object;

describe('parseJsonObject decides as the plain scan-then-parse on adversarial texts', () => {
  it('duplicates and escapes at every level, at any depth limit', () => {
    fc.assert(
      fc.property(arbAdversarialText, fc.integer({ min: 1, max: 40 }), (text, maxDepth) => {
        expect(outcome(() => parseJsonObject(text, 'x', 'limits', 0, maxDepth))).toEqual(
          outcome(() => referenceParse(text, maxDepth)),
        );
      }),
      { numRuns: RUNS * 4 },
    );
  });
});

describe('authorizeEach refuses on the first set that authorize refuses, with its denial', () => {
  /** authorizeEach on generated sets and actions answers as authorize on each set in turn. */
  const agreesWithAuthorize = (arbSets: fc.Arbitrary<ReturnType<typeof normalizeCapabilities>[]>) =>
    fc.assert(
      fc.property(
        arbSets.chain((sets) => arbAction(sets[0]).map((action) => [sets, action] as const)),
        ([sets, action]) => {
          const index = sets.findIndex((caps) => !authorize(caps, action).allowed);
          const expected =
            index < 0 ? undefined : { index, denial: authorize(sets[index] ?? [], action) };
          expect(authorizeEach(sets, action)).toEqual(expected);
        },
      ),
      { numRuns: RUNS },
    );

  it('on generated chains of capability sets and actions', () => {
    agreesWithAuthorize(
      arbCapabilities().chain((root) =>
        fc
          .tuple(arbNarrowing(root), arbNarrowing(root))
          .map(([a, b]) => [root, a, b].map((caps) => normalizeCapabilities(caps))),
      ),
    );
  });

  it('with the same set repeated hop after hop (decided once), as authorize decides each', () => {
    agreesWithAuthorize(
      arbCapabilities().chain((root) =>
        fc
          .tuple(arbNarrowing(root), fc.array(fc.nat({ max: 1 }), { minLength: 1, maxLength: 6 }))
          .map(([narrower, picks]) => {
            // The same normalised array object, repeated: what decoded blocks with equal entries share.
            const pool = [root, narrower].map((caps) => normalizeCapabilities(caps));
            return picks.map((i) => pool[i]!);
          }),
      ),
    );
  });

  it('a malformed action is refused on the first set', () => {
    const sets = [normalizeCapabilities([{ resource: 'docs:**', actions: ['read'] }])];
    const action = { resource: 'docs:../x', action: 'read' };
    expect(authorizeEach(sets, action)).toEqual({ index: 0, denial: authorize(sets[0]!, action) });
  });
});

describe('findWidening remembers answers only for the same pair of normal forms', () => {
  it('answers as the unremembered computation, asked twice and in both directions', () => {
    fc.assert(
      fc.property(
        arbCapabilities().chain((a) =>
          fc.oneof(arbNarrowing(a), arbCapabilities()).map((b) => [a, b] as const),
        ),
        fc.constantFrom('mandate' as const, 'aat' as const),
        ([rawA, rawB], profile) => {
          const a = normalizeCapabilities(rawA);
          const b = normalizeCapabilities(rawB);
          // Explicit limits bypass the memo: the reference.
          const reference = (c: typeof a, p: typeof a) =>
            findWidening(c, p, { profile, limits: {} });
          for (const [c, p] of [
            [a, b],
            [b, a],
            [a, b],
            [b, a],
          ] as const) {
            expect(findWidening(c, p, { profile })).toEqual(reference(c, p));
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

const B64_43 = 'SNA2gwuy2kiXUVpuzQ7o7wonxHwQm0capJDNOdud1Ak';

/** Claims values: the valid ones and their edges on either side. */
function arbClaims(limits: Limits): fc.Arbitrary<Record<string, unknown>> {
  const max = limits.maxStringLength;
  const str = fc.oneof(
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.constantFrom('', 'a'.repeat(max), 'a'.repeat(max + 1), 'é', '\u0000'),
    fc.constantFrom(1, null, true, ['a'], { a: 1 }),
  );
  const int = fc.oneof(
    fc.nat({ max: 2_000_000_000 }),
    fc.constantFrom(0, -0, -1, 1.5, 64, 65, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1),
    fc.constantFrom('1', null, [1]),
  );
  const depth = fc.oneof(fc.integer({ min: -1, max: 66 }), fc.constantFrom(0.5, '1', null));
  const b64 = fc.constantFrom(B64_43, `${B64_43}A`, B64_43.slice(1), `${B64_43.slice(1)}+`, 1);
  const aud = fc.oneof(
    str,
    fc.array(str, { minLength: 0, maxLength: 3 }),
    fc.constant(Array.from({ length: limits.maxCapabilities + 1 }, () => 'a')),
    fc.constant(Array.from({ length: limits.maxCapabilities }, () => 'a')),
  );
  const jwk = fc.constantFrom({ kty: 'OKP', crv: 'Ed25519', x: B64_43 }, 'x', null, undefined);
  const cnf = fc.oneof(
    fc.record({ jwk, 'x5t#S256': b64, other: fc.constant(1) }, { requiredKeys: [] }),
    fc.constantFrom(null, [], 'cnf', [{ jwk: {} }]),
  );
  const detail = fc.oneof(
    fc.record(
      {
        type: fc.constantFrom('mandate', 'other', undefined),
        resource: fc.constant('docs:**'),
        actions: fc.constant(['read']),
      },
      { requiredKeys: [] },
    ),
    fc.constantFrom(null, [], 'mandate', 1),
  );
  const details = fc.oneof(
    fc.array(detail, { maxLength: 3 }),
    fc.constant(Array.from({ length: limits.maxCapabilities + 1 }, () => ({ type: 'mandate' }))),
    fc.constantFrom(null, {}, 'x'),
  );
  const purpose = fc.oneof(fc.constantFrom('', 'why', 'a'.repeat(max), 'a'.repeat(max + 1)), str);
  const valid = {
    jti: 'id-1',
    iss: 'as:x',
    sub: 'alice',
    iat: 1_800_000_000,
    exp: 1_800_003_600,
    del_depth: 0,
    del_max_depth: 3,
    cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x: B64_43 } },
    authorization_details: [{ type: 'mandate', resource: 'docs:**', actions: ['read'] }],
  };
  // Start from a valid block and replace, add or drop a few members.
  const arbMembers = fc.record({
    jti: str,
    iss: str,
    sub: str,
    iat: int,
    exp: int,
    nbf: int,
    aud,
    del_depth: depth,
    del_max_depth: depth,
    par_hash: b64,
    cnf,
    authorization_details: details,
    purpose,
    extra: fc.constantFrom(1, 'x'),
    ['__proto__']: fc.constant({ a: 1 }),
  });
  return fc
    .tuple(
      arbMembers,
      fc.shuffledSubarray(
        [...Object.keys(valid), 'nbf', 'aud', 'par_hash', 'purpose', 'extra', '__proto__'],
        { maxLength: 3 },
      ),
      fc.subarray(Object.keys(valid), { maxLength: 1 }),
      fc.boolean(),
    )
    .map(([members, changed, drop, viaJson]) => {
      const claims: Record<string, unknown> = { ...valid };
      for (const key of changed) {
        const value = Object.getOwnPropertyDescriptor(members, key)?.value as unknown;
        Object.defineProperty(claims, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      for (const key of drop) delete claims[key];
      // Through JSON text too, as the verifier sees it (drops undefined members).
      return viaJson ? (JSON.parse(JSON.stringify(claims)) as Record<string, unknown>) : claims;
    });
}

describe('claimsPlainlyValid only accepts what the claims schema accepts', () => {
  for (const limits of [
    DEFAULT_LIMITS,
    { ...DEFAULT_LIMITS, maxStringLength: 8, maxCapabilities: 2 },
  ]) {
    it(`with maxStringLength ${limits.maxStringLength}`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(arbClaims(limits), (claims) => {
          const parsed = schemaFor(limits).safeParse(claims);
          if (claimsPlainlyValid(claims, limits)) {
            accepted++;
            expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
            // The values read from the claims are the same either way.
            const data = parsed.data as Record<string, unknown>;
            for (const key of Object.keys(data)) {
              if (key !== 'authorization_details') expect(claims[key]).toEqual(data[key]);
            }
          }
        }),
        { numRuns: RUNS * 4 },
      );
      // The test means something only if the quick path is taken often.
      expect(accepted).toBeGreaterThan(RUNS / 10);
    });
  }
});

/** The reference: `parsePublicJwk` as it was before its quick path. */
function referencePublicJwk(value: unknown): PublicJwk {
  const label = 'jwk';
  if (typeof value === 'object' && value !== null) {
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) {
      if (Object.hasOwn(value, member)) {
        throw new MandateError('MANDATE_MALFORMED', `${label} contains private key material`, {
          check: 'limits',
          hop: 0,
          detail: { path: `${label}.${member}` },
        });
      }
    }
  }
  const parsed = publicJwkSchema().safeParse(value);
  if (!parsed.success) {
    // The message in plain words, as every schema failure is worded (core/schemas.ts).
    const { path, message } = firstIssue(parsed.error, label);
    throw new MandateError('MANDATE_MALFORMED', message, {
      check: 'limits',
      hop: 0,
      detail: { path },
    });
  }
  return minimalJwk(parsed.data);
}

describe('parsePublicJwk decides as before its quick path', () => {
  it('on generated keys', () => {
    const member = fc.oneof(
      fc.constantFrom('OKP', 'EC', 'Ed25519', 'P-256', 'EdDSA', 'sig', B64_43, `${B64_43}=`),
      fc.constantFrom(B64_43.slice(2), `${B64_43.slice(1)}+`, 1, null, [], {}),
    );
    const arbKey = fc.oneof(
      fc.constant({ kty: 'OKP', crv: 'Ed25519', x: B64_43 }),
      fc.dictionary(
        fc.constantFrom('kty', 'crv', 'x', 'y', 'd', 'alg', 'kid', 'use', 'k', 'z'),
        member,
        { maxKeys: 5 },
      ),
      fc
        .tuple(
          fc.constantFrom('kty', 'crv', 'x', 'y', 'd', 'alg', '__proto__'),
          member,
          fc.boolean(),
        )
        .map(([key, value, viaJson]) => {
          const jwk: Record<string, unknown> = { kty: 'OKP', crv: 'Ed25519', x: B64_43 };
          Object.defineProperty(jwk, key, { value, enumerable: true, configurable: true });
          return viaJson ? (JSON.parse(JSON.stringify(jwk)) as unknown) : jwk;
        }),
      fc.constantFrom(
        null,
        'jwk',
        [B64_43],
        Object.create({ kty: 'OKP', crv: 'Ed25519', x: B64_43 }),
      ),
    );
    fc.assert(
      fc.property(arbKey, (jwk) => {
        expect(outcome(() => parsePublicJwk(jwk, 'limits', 0))).toEqual(
          outcome(() => referencePublicJwk(jwk)),
        );
      }),
      { numRuns: RUNS * 4 },
    );
  });
});

const str = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom('', 'a'.repeat(max), 'a'.repeat(max + 1)),
    fc.constantFrom(1, null, ['a']),
  );
const arbIat = fc.oneof(fc.nat(), fc.constantFrom(-1, 1.5, Number.MAX_SAFE_INTEGER + 1, '1', null));
const arbB64 = fc.constantFrom(B64_43, B64_43.slice(1), `${B64_43}=`, 1);

describe.each([
  {
    name: 'dpopClaimsPlainlyValid',
    http: true,
    quick: dpopClaimsPlainlyValid,
    base: {
      jti: 'p-1',
      iat: 1_800_000_000,
      htm: 'POST',
      htu: 'https://api.example/pay',
      ath: B64_43,
    },
    members: {
      jti: str(256),
      iat: arbIat,
      htm: str(16),
      htu: str(4096),
      ath: arbB64,
      nonce: str(1024),
      extra: fc.constantFrom(1, 'x'),
    },
  },
  {
    name: 'invocationClaimsPlainlyValid',
    http: false,
    quick: invocationClaimsPlainlyValid,
    base: { jti: 'p-1', iat: 1_800_000_000, tool: 'pay', args_hash: B64_43, ath: B64_43 },
    members: {
      jti: str(256),
      iat: arbIat,
      tool: str(1024),
      args_hash: arbB64,
      ath: arbB64,
      aud: fc.oneof(str(1024), fc.constant(undefined)),
      extra: fc.constantFrom(1, 'x'),
    },
  },
])('$name only accepts what its proof claims schema accepts', ({ http, quick, base, members }) => {
  it('on generated claims', () => {
    const names = Object.keys(members);
    const arbClaims = fc
      .tuple(
        fc.record(members as Record<string, fc.Arbitrary<unknown>>),
        fc.shuffledSubarray(names, { maxLength: 3 }),
        fc.subarray(Object.keys(base), { maxLength: 1 }),
      )
      .map(([values, changed, drop]) => {
        const claims: Record<string, unknown> = { ...base };
        for (const key of changed) claims[key] = values[key];
        for (const key of drop) delete claims[key];
        return claims;
      });
    let accepted = 0;
    fc.assert(
      fc.property(arbClaims, (claims) => {
        const parsed = proofClaimsSchema(http).safeParse(claims);
        if (quick(claims)) {
          accepted++;
          expect(parsed.success).toBe(true);
          expect(parsed.data).toEqual(claims);
        }
      }),
      { numRuns: RUNS * 4 },
    );
    expect(accepted).toBeGreaterThan(RUNS / 10);
  });
});

describe("the verifier's block cache holds only for the exact block text", () => {
  it('a block with a cached block signature but other content is decoded and checked anew', async () => {
    const world = await createWorld();
    const verifier = verifierFor(world);
    const mandate = await chainOf(world, 1);
    // Twice: a block is cached from its second sight on.
    expect((await verifyWith(verifier, mandate, world.agents[1])).allowed).toBe(true);
    expect((await verifyWith(verifier, mandate, world.agents[1])).allowed).toBe(true);
    const [root = '', child = ''] = blocksOf(mandate.token);
    const signature = child.slice(child.lastIndexOf('.') + 1);
    // The same signature segment on a widened payload (and on a same-length edit).
    const { header, payload } = decodeJws(child);
    const widened = { ...payload, del_max_depth: 9 };
    for (const body of [widened, { ...payload, sub: 'mallory'.slice(0, 5) }]) {
      const forged = `${segment(header)}.${segment(body)}.${signature}`;
      const decision = await verifyWith(verifier, `${root}~${forged}`, world.agents[1]);
      expect(decision).toMatchObject({ allowed: false, code: 'MANDATE_SIGNATURE_INVALID', hop: 1 });
    }
    // The genuine chain is still served (and still allowed).
    expect((await verifyWith(verifier, mandate, world.agents[1])).allowed).toBe(true);
  });
});
