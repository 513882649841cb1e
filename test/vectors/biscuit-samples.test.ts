/**
 * The Biscuit specification samples (eclipse-biscuit/biscuit, samples/current), run through
 * biscuit-wasm 0.6.0 as loaded by src/format/biscuit/wasm.ts.
 *
 * For every test case: the token parses with the samples' root key (or fails as expected), its blocks
 * print back to the published source, and for every validation the authorizer code yields exactly
 * the published result (`Ok(policy index)` or `Err(...)`, compared in full after comparing the error
 * kind) and the published revocation ids — both biscuit-wasm's and Mandate's own
 * (`biscuitRevocationId`, computed from the token bytes without biscuit-wasm).
 *
 * Samples are found by test/helpers/vectors.ts (`../shared/vectors/biscuit-samples` beside the
 * clone, or `BISCUIT_SAMPLES`). Without them the suite is skipped, and says so (fails in CI).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { biscuitRevocationId } from '../../src/format/biscuit/chain.js';
import { readFields, type ProtoField } from '../../src/format/biscuit/protobuf.js';
import { biscuitErrorKind, withBiscuit } from '../../src/format/biscuit/wasm.js';
import type { BiscuitRunLimits, WasmBiscuit } from '../../src/format/biscuit/wasm.js';
import { readVectorFile, vectorsOrReport } from '../helpers/vectors.js';

const found = vectorsOrReport('biscuit', 'Biscuit specification samples');

/**
 * Limits passed to `authorizeWithLimits`. Observed with 0.6.0: `max_time_micro` is honoured, but
 * `max_facts`/`max_iterations` are not (the authorizer keeps biscuit-auth's built-in bounds of about
 * 1000 facts, and a ~1 ms evaluation budget that a cold process or a GC pause can exceed). The
 * samples stay far below the fact bound; `authorizeOnce` in `run` deals with the clock.
 */
const LIMITS: BiscuitRunLimits = {
  max_facts: 10_000,
  max_iterations: 1_000,
  max_time_micro: 10_000_000,
};

/**
 * Samples biscuit-wasm 0.6.0 cannot pass, with the exact outcome it produces instead. Asserted:
 * if one of these starts passing (or fails differently), the test fails and this list must change.
 */
const KNOWN_UNSUPPORTED: Readonly<
  Record<string, { readonly reason: string; readonly actual: SampleResult }>
> = {
  'test035_ffi.bc#': {
    reason:
      'foreign functions (`extern::test(...)`, spec v3.3 FFI): biscuit-wasm 0.6.0 exposes no way to ' +
      'register extern functions on an authorizer, so evaluation stops with UndefinedExtern',
    actual: { Err: { Execution: { UndefinedExtern: 'test' } } },
  },
};

const Block = z.object({
  symbols: z.array(z.string()),
  public_keys: z.array(z.string()),
  external_key: z.string().nullable(),
  code: z.string(),
  version: z.number().int(),
});
const Result = z.union([
  z.object({ Ok: z.number().int().nonnegative() }).strict(),
  z.object({ Err: z.unknown() }).strict(),
]);
type SampleResult = z.infer<typeof Result>;
const Validation = z.object({
  world: z.unknown(),
  result: Result,
  authorizer_code: z.string(),
  revocation_ids: z.array(z.string().regex(/^[0-9a-f]+$/)),
});
const Samples = z.object({
  root_private_key: z.string().regex(/^[0-9a-f]{64}$/),
  root_public_key: z.string().regex(/^[0-9a-f]{64}$/),
  testcases: z
    .array(
      z.object({
        title: z.string(),
        filename: z.string().regex(/^test\d{3}_\w+\.bc$/),
        token: z.array(Block),
        validations: z.record(z.string(), Validation),
      }),
    )
    .min(1),
});

interface Outcome {
  /** Whether the token parsed with the root key. */
  readonly parsed: boolean;
  readonly result: SampleResult;
  readonly revocationIds: readonly string[];
  readonly blockSources: readonly string[];
}

/** Parses, authorizes and reads back one token; Biscuit's own errors become `{ Err }`. */
async function run(rootHex: string, token: Uint8Array, authorizerCode: string): Promise<Outcome> {
  return withBiscuit((api, scope) => {
    const root = scope.own(api.PublicKey.fromString(rootHex, api.SignatureAlgorithm.Ed25519));
    let biscuit: WasmBiscuit;
    try {
      biscuit = scope.own(api.Biscuit.fromBytes(token, root));
    } catch (error) {
      if (biscuitErrorKind(error) === undefined) throw error;
      return { parsed: false, result: { Err: error }, revocationIds: [], blockSources: [] };
    }
    const revocationIds = biscuit.getRevocationIdentifiers();
    const blockSources = Array.from({ length: biscuit.countBlocks() }, (_, i) =>
      biscuit.getBlockSource(i),
    );
    /**
     * One authorization. No sample expects a time-out, and a `RunLimit: "Timeout"` here only says
     * the machine was slow (cold wasm, GC, a loaded CI box), so that one outcome is retried twice.
     */
    const authorizeOnce = (): SampleResult => {
      try {
        const builder = scope.own(new api.AuthorizerBuilder());
        builder.addCode(authorizerCode);
        const authorizer = scope.own(builder.buildAuthenticated(biscuit));
        return { Ok: authorizer.authorizeWithLimits(LIMITS) };
      } catch (error) {
        if (biscuitErrorKind(error) === undefined) throw error;
        return { Err: error };
      }
    };
    let result = authorizeOnce();
    for (let retry = 0; retry < 2 && isTimeout(result); retry += 1) result = authorizeOnce();
    return { parsed: true, result, revocationIds, blockSources };
  });
}

function lenBytes(fields: readonly ProtoField[], field: number): Uint8Array[] {
  return fields.flatMap((f) => (f.field === field && f.wire === 2 ? [f.bytes] : []));
}

/** Mandate's revocation ids of a token: authority block first, then the others, in order. */
function mandateRevocationIds(token: Uint8Array): string[] {
  const top = readFields(token);
  // Biscuit: 2 = authority, 3 = blocks; SignedBlock: 3 = signature.
  return [...lenBytes(top, 2), ...lenBytes(top, 3)].map((signed) => {
    const [signature] = lenBytes(readFields(signed), 3);
    if (signature === undefined) throw new Error('a SignedBlock without a signature');
    return biscuitRevocationId({ signature });
  });
}

function isTimeout(result: SampleResult): boolean {
  return 'Err' in result && JSON.stringify(result.Err) === JSON.stringify({ RunLimit: 'Timeout' });
}

function kindOf(result: SampleResult): string {
  return 'Ok' in result ? 'Ok' : `Err/${biscuitErrorKind(result.Err) ?? '?'}`;
}

if (found !== undefined) {
  const SAMPLES_DIR = found.folder;
  const samples = Samples.parse(readVectorFile<unknown>(found.file).json);
  const tally = { validations: 0, exact: 0, knownUnsupported: 0 };

  describe(`Biscuit specification samples (${SAMPLES_DIR})`, () => {
    afterAll(() => {
      console.info(
        `[biscuit-samples] ${samples.testcases.length} test cases, ${tally.validations} validations: ` +
          `${tally.exact} match the specification exactly, ${tally.knownUnsupported} known-unsupported`,
      );
    });

    for (const testcase of samples.testcases) {
      describe(`${testcase.filename}: ${testcase.title}`, () => {
        const bytes = new Uint8Array(readFileSync(join(SAMPLES_DIR, testcase.filename)));

        for (const [name, validation] of Object.entries(testcase.validations)) {
          const key = `${testcase.filename}#${name}`;
          it(`validation "${name}"`, async () => {
            tally.validations += 1;
            const outcome = await run(samples.root_public_key, bytes, validation.authorizer_code);
            const known = KNOWN_UNSUPPORTED[key];
            if (known !== undefined) {
              // Exactly the documented failure; anything else (including a pass) must be looked at.
              expect(outcome.result, `${key} (${known.reason})`).toEqual(known.actual);
              expect(outcome.result).not.toEqual(validation.result);
              tally.knownUnsupported += 1;
              return;
            }
            expect(kindOf(outcome.result), key).toBe(kindOf(validation.result));
            expect(outcome.result, key).toEqual(validation.result);
            // Tokens that fail to parse have none; the samples then list none either.
            expect(outcome.revocationIds, `${key} revocation ids`).toEqual(
              validation.revocation_ids,
            );
            if (outcome.parsed) {
              expect(outcome.blockSources, `${key} block sources`).toEqual(
                testcase.token.map((block) => block.code),
              );
              // What Mandate's revocation rule looks up for a Biscuit block (src/format/biscuit/chain.ts).
              expect(mandateRevocationIds(bytes), `${key} Mandate revocation ids`).toEqual(
                validation.revocation_ids,
              );
            }
            tally.exact += 1;
          });
        }
      });
    }

    it('every known-unsupported entry names a sample that exists', () => {
      const keys = new Set(
        samples.testcases.flatMap((testcase) =>
          Object.keys(testcase.validations).map((name) => `${testcase.filename}#${name}`),
        ),
      );
      for (const key of Object.keys(KNOWN_UNSUPPORTED)) expect(keys.has(key), key).toBe(true);
    });
  });
}
