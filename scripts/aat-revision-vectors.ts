/**
 * Builds test/vectors/aat-revision.json: Mandate's own AAT vectors for the rules the
 * 2026-09-29 revision of draft-niyikiza-oauth-attenuating-agent-tokens-02 adds (optional
 * arguments and `"*"`, section 3.3 and steps 4p2/4p3; well-formed constraints, section 3.4
 * and steps 3m/3n/4n/4o; admissible numbers, section 3.4 and steps 3b/3c/3n/4o/6b/7c; `hta`
 * required, step 7c). One case per rule, each naming the step it must fail at
 * (docs/vectors.md). `scripts/generate-vectors.ts` writes it; the suite diffs it.
 *
 * Tokens are built by hand from JSON text (so numbers appear exactly as written) and signed
 * with fixed Ed25519 seeds; Ed25519 is deterministic, so the output is reproducible.
 */
import { canonicalJson } from '../src/core/encoding.js';
import type { KeyPair } from '../src/index.js';

import { forgeJws, keyPairFromSeed, parHashOf, TEST_SEEDS } from '../test/helpers/forge.js';
import { vectorPath, VECTOR_ISSUER, VECTOR_NOW, type VectorFileHeader } from './vector-file.js';
import { TYP } from '../src/core/typ.js';

export const AAT_REVISION_PATH = vectorPath('aat-revision.json');

const NOW = VECTOR_NOW;
const ISSUER = VECTOR_ISSUER;
const AUDIENCE = 'https://tools.vectors.mandate.test';
const TOOL = 'read_text_file';
const OTHER_TOOL = 'search_index';
const WILDCARD = { constraint_type: 'wildcard' };

type Party = 'anchor' | 'orchestrator' | 'billing';

/** One case. `args` and `hta`-bearing proofs are JSON text: numbers exactly as written. */
export interface AatRevisionCase {
  readonly tcId: number;
  readonly name: string;
  readonly comment: string;
  /** The draft section whose rule the case exercises. */
  readonly section: string;
  /** The chain: compact tokens, root first, joined by `~`. */
  readonly token: string;
  /** The `aat-pop+jwt` for the invocation. */
  readonly proof: string;
  readonly tool: string;
  /** The invocation's arguments as JSON text (parse it losslessly: see docs/vectors.md). */
  readonly args: string;
  readonly now: number;
  readonly result: 'valid' | 'invalid';
  readonly expected:
    | { readonly code: string; readonly hop: number; readonly check: string; readonly step: string }
    | { readonly subject: string; readonly chain: readonly string[] };
}

export interface AatRevisionFile extends VectorFileHeader<Party> {
  readonly draft: string;
  readonly verifier: {
    readonly trustAnchors: readonly { id: string; publicJwk: unknown }[];
    readonly audience: string;
    readonly proofWindow: number;
    readonly maxIatSkew: number;
    readonly maxTokenLifetime: number;
    readonly maxDelegationDepth: number;
    readonly requireAudience: boolean;
    readonly requirePopAudience: boolean;
  };
  readonly numberOfTests: number;
  readonly tests: readonly AatRevisionCase[];
}

type Tools = Record<string, unknown>;

/** The root's grant: `path` pinned to two files, optional `head`/`tail`, and `"*"`. */
const ROOT_TOOLS: Tools = {
  [TOOL]: {
    path: { constraint_type: 'one_of', values: ['/srv/a.md', '/srv/b.md'] },
    head: { constraint_type: 'range', max: 200, optional: true },
    tail: { constraint_type: 'range', max: 200, optional: true },
    '*': WILDCARD,
  },
  [OTHER_TOOL]: { query: WILDCARD },
};

/** The same grant without `"*"`. */
const CLOSED_TOOLS: Tools = {
  [TOOL]: {
    path: { constraint_type: 'one_of', values: ['/srv/a.md', '/srv/b.md'] },
    head: { constraint_type: 'range', max: 200, optional: true },
  },
};

/**
 * Claims as canonical JSON text; every string `"#n#"` in `tools` is then replaced by the
 * literal `n`, so a number can be written exactly (`9007199254740993`, `1.0`).
 */
function claimsText(
  claims: Record<string, unknown>,
  literals: Record<string, string> = {},
): string {
  let text = canonicalJson(claims);
  for (const [placeholder, literal] of Object.entries(literals)) {
    text = text.split(JSON.stringify(placeholder)).join(literal);
  }
  return text;
}

/** Build every case. Deterministic: same code, same output. */
export function generateAatRevisionVectors(): AatRevisionFile {
  const k = {
    anchor: keyPairFromSeed(TEST_SEEDS.anchor),
    orchestrator: keyPairFromSeed(TEST_SEEDS.orchestrator),
    billing: keyPairFromSeed(TEST_SEEDS.billing),
  } satisfies Record<Party, KeyPair>;
  const header = { alg: 'Ed25519', typ: TYP.aat };

  const root = (
    id: string,
    tools: Tools | string,
    options: { literals?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ): string => {
    const claims = {
      jti: id,
      iss: ISSUER,
      iat: NOW - 60,
      exp: NOW + 3600,
      del_depth: 0,
      del_max_depth: 3,
      cnf: { jwk: k.orchestrator.publicJwk },
      authorization_details: [{ type: 'attenuating_agent_token', tools }],
      ...options.extra,
    };
    return forgeJws(k.anchor, header, claimsText(claims, options.literals));
  };
  const child = (
    parent: string,
    id: string,
    tools: Tools,
    literals: Record<string, string> = {},
  ): string => {
    const claims = {
      jti: id,
      iss: k.orchestrator.id,
      iat: NOW - 30,
      exp: NOW + 1800,
      del_depth: 1,
      del_max_depth: 3,
      par_hash: parHashOf(parent),
      cnf: { jwk: k.billing.publicJwk },
      authorization_details: [{ type: 'attenuating_agent_token', tools }],
    };
    return `${parent}~${forgeJws(k.orchestrator, header, claimsText(claims, literals))}`;
  };
  /** The PoP by the leaf holder; `hta` is JSON text (default: the invocation's args). */
  const pop = (token: string, tcId: number, hta: string | null, tool = TOOL): string => {
    const tokens = token.split('~');
    const leaf = tokens[tokens.length - 1] ?? '';
    const holder = tokens.length === 1 ? k.orchestrator : k.billing;
    const leafId = (
      JSON.parse(Buffer.from(leaf.split('.')[1] ?? '', 'base64url').toString()) as {
        jti: string;
      }
    ).jti;
    const claims: Record<string, unknown> = {
      jti: `aat-rev-proof-${tcId}`,
      iat: NOW,
      aat_id: leafId,
      aat_hash: parHashOf(leaf),
      aat_tool: tool,
      aat_aud: AUDIENCE,
    };
    if (hta !== null) claims['hta'] = '#hta#';
    const text = claimsText(claims, hta === null ? {} : { '#hta#': hta });
    return forgeJws(holder, { alg: 'Ed25519', typ: TYP.aatPop }, text);
  };

  const tests: AatRevisionCase[] = [];
  const add = (c: {
    name: string;
    comment: string;
    section: string;
    token: string;
    args: string;
    tool?: string;
    /** The PoP's `hta` as JSON text; default the args; null for none. */
    hta?: string | null;
    expected: { code: string; hop: number; check: string; step: string } | 'valid';
  }): void => {
    const tcId = tests.length + 1;
    const tool = c.tool ?? TOOL;
    const blocks = c.token.split('~').length;
    tests.push({
      tcId,
      name: c.name,
      comment: c.comment,
      section: c.section,
      token: c.token,
      proof: pop(c.token, tcId, c.hta === undefined ? c.args : c.hta, tool),
      tool,
      args: c.args,
      now: NOW,
      result: c.expected === 'valid' ? 'valid' : 'invalid',
      expected:
        c.expected === 'valid'
          ? {
              subject: ISSUER,
              chain: [ISSUER, k.orchestrator.id, ...(blocks > 1 ? [k.billing.id] : [])],
            }
          : c.expected,
    });
  };
  const deny = (code: string, hop: number, check: string, step: string) => ({
    code: `MANDATE_${code}`,
    hop,
    check,
    step,
  });
  const malformedAt = (hop: number, step: string) => deny('MALFORMED', hop, 'limits', step);
  const widenedAt = (step: string) => deny('WIDENED', 1, 'narrowing', step);
  const forbiddenAt = (hop: number) => deny('FORBIDDEN', hop, 'authorize', '6b');

  const grant = root('aat-rev-root', ROOT_TOOLS);
  const args = (value: Record<string, unknown>) => canonicalJson(value);
  const withTool = (map: Record<string, unknown>): Tools => ({ [TOOL]: map });
  const rootMap = ROOT_TOOLS[TOOL] as Record<string, unknown>;
  const { ['*']: _star, ...rootNamed } = rootMap;

  // --- optional arguments and "*" (section 3.3, steps 6b, 4p2, 4p3) -----------------------
  add({
    name: 'optional-omitted',
    comment: 'optional arguments (head, tail) may be omitted',
    section: '3.3',
    token: grant,
    args: args({ path: '/srv/a.md' }),
    expected: 'valid',
  });
  add({
    name: 'optional-present-violates',
    comment: 'a present optional argument must satisfy its constraint (head 500 > 200)',
    section: '3.3',
    token: grant,
    args: args({ path: '/srv/a.md', head: 500 }),
    expected: forbiddenAt(0),
  });
  add({
    name: 'unnamed-under-star',
    comment: 'the "*" entry admits an argument the map does not name, with any value',
    section: '3.3',
    token: grant,
    args: args({ path: '/srv/a.md', encoding: 'utf-8' }),
    expected: 'valid',
  });
  add({
    name: 'required-still-required',
    comment: '"*" does not make a named argument optional: path is required',
    section: '3.3',
    token: grant,
    args: args({ head: 5 }),
    expected: forbiddenAt(0),
  });
  add({
    name: 'unnamed-without-star',
    comment: 'closed world: without "*", an argument the map does not name is denied',
    section: '3.3',
    token: root('aat-rev-root-closed', CLOSED_TOOLS),
    args: args({ path: '/srv/a.md', encoding: 'utf-8' }),
    expected: forbiddenAt(0),
  });
  add({
    name: 'empty-map-is-star',
    comment: 'an empty constraint map is {"*": wildcard}: any argument passes',
    section: '3.3',
    token: root('aat-rev-root-empty', { [TOOL]: {} }),
    args: args({ anything: [1, 2] }),
    expected: 'valid',
  });
  add({
    name: 'derived-requires-optional',
    comment: 'a derived token may make an optional argument required (narrows)',
    section: '4.5',
    token: child(
      grant,
      'aat-rev-d1',
      withTool({ ...rootNamed, head: { constraint_type: 'range', max: 100 } }),
    ),
    args: args({ path: '/srv/a.md', head: 10 }),
    expected: 'valid',
  });
  add({
    name: 'derived-makes-required-optional',
    comment: 'a derived token must not make a required argument (path) optional',
    section: '4.5',
    token: child(
      grant,
      'aat-rev-d2',
      withTool({
        ...rootMap,
        path: { constraint_type: 'exact', value: '/srv/a.md', optional: true },
      }),
    ),
    args: args({ path: '/srv/a.md' }),
    expected: widenedAt('4p3'),
  });
  add({
    name: 'derived-drops-required',
    comment: 'a derived token must not omit a required argument (path)',
    section: '4.5',
    token: child(grant, 'aat-rev-d3', withTool({ head: rootMap['head'] })),
    args: args({ head: 5 }),
    expected: widenedAt('4p2'),
  });
  add({
    name: 'derived-omits-optional-keeps-star',
    comment: 'omitting an optional argument while keeping "*" would readmit it with any value',
    section: '4.5',
    token: child(grant, 'aat-rev-d4', withTool({ path: rootMap['path'], '*': WILDCARD })),
    args: args({ path: '/srv/a.md' }),
    expected: widenedAt('4p2'),
  });
  add({
    name: 'derived-adds-star',
    comment: 'a derived token must not add "*" when its parent has none',
    section: '4.5',
    token: child(
      root('aat-rev-root-closed-2', CLOSED_TOOLS),
      'aat-rev-d5',
      withTool({ ...(CLOSED_TOOLS[TOOL] as object), '*': WILDCARD }),
    ),
    args: args({ path: '/srv/a.md' }),
    expected: widenedAt('4p2'),
  });
  add({
    name: 'derived-names-unadmitted-argument',
    comment: 'a derived token must not name an argument its closed parent neither names nor admits',
    section: '4.5',
    token: child(
      root('aat-rev-root-closed-3', CLOSED_TOOLS),
      'aat-rev-d6',
      withTool({
        ...(CLOSED_TOOLS[TOOL] as object),
        mode: { constraint_type: 'exact', value: 'r' },
      }),
    ),
    args: args({ path: '/srv/a.md', mode: 'r' }),
    expected: widenedAt('4p2'),
  });
  add({
    name: 'derived-omits-optional-forbids-it',
    comment: 'omitting an optional argument (and "*") forbids it: head is denied at the leaf',
    section: '4.5',
    token: child(grant, 'aat-rev-d7', withTool({ path: rootMap['path'], tail: rootMap['tail'] })),
    args: args({ path: '/srv/a.md', head: 5 }),
    expected: forbiddenAt(1),
  });
  add({
    name: 'derived-constrains-unnamed',
    comment: 'a key named only under the parent "*" may be constrained: encoding pinned',
    section: '4.5',
    token: child(
      grant,
      'aat-rev-d8',
      withTool({ ...rootNamed, encoding: { constraint_type: 'exact', value: 'utf-8' } }),
    ),
    args: args({ path: '/srv/a.md', encoding: 'latin1' }),
    expected: forbiddenAt(1),
  });

  // --- well-formed constraints (section 3.4, steps 3m, 3n, 4n, 4o) ------------------------
  const malformedRoot = (name: string, comment: string, map: unknown, step = '3n') =>
    add({
      name,
      comment: `${comment} (on a tool that is not invoked)`,
      section: '3.4',
      token: root(`aat-rev-${name}`, { ...ROOT_TOOLS, [OTHER_TOOL]: map }),
      args: args({ path: '/srv/a.md' }),
      expected: malformedAt(0, step),
    });
  malformedRoot('star-not-wildcard', 'a "*" entry must be a wildcard', {
    '*': { constraint_type: 'exact', value: 'x' },
  });
  malformedRoot('star-with-optional', 'a "*" entry must not carry optional', {
    '*': { constraint_type: 'wildcard', optional: true },
  });
  malformedRoot('optional-inside-all', 'optional is only allowed on a top-level entry', {
    query: {
      constraint_type: 'all',
      constraints: [{ constraint_type: 'wildcard', optional: true }],
    },
  });
  malformedRoot('optional-not-boolean', 'optional must be a boolean', {
    query: { constraint_type: 'wildcard', optional: 'yes' },
  });
  malformedRoot('range-min-above-max', 'a range whose min is greater than its max', {
    limit: { constraint_type: 'range', min: 10, max: 1 },
  });
  malformedRoot('range-flag-without-bound', 'min_inclusive without min', {
    limit: { constraint_type: 'range', max: 10, min_inclusive: false },
  });
  malformedRoot('one-of-empty', 'a one_of with no values', {
    query: { constraint_type: 'one_of', values: [] },
  });
  malformedRoot('all-empty', 'an all with no clauses', {
    query: { constraint_type: 'all', constraints: [] },
  });
  malformedRoot('exact-not-scalar', 'an exact value that is an object', {
    query: { constraint_type: 'exact', value: { q: 1 } },
  });
  malformedRoot('unknown-member', 'a member the constraint type does not define', {
    query: { constraint_type: 'wildcard', strict: true },
  });
  malformedRoot(
    'tools-value-not-object',
    'a tools value must be a constraint-map object',
    [],
    '3m',
  );
  add({
    name: 'derived-any-empty',
    comment: 'a derived token with an empty any (on a tool that is not invoked)',
    section: '3.4',
    token: child(grant, 'aat-rev-d9', {
      [TOOL]: rootMap,
      [OTHER_TOOL]: { query: { constraint_type: 'any', constraints: [] } },
    }),
    args: args({ path: '/srv/a.md' }),
    expected: malformedAt(1, '4o'),
  });
  add({
    name: 'derived-tools-value-not-object',
    comment: 'a derived tools value must be a constraint-map object',
    section: '3.4',
    token: child(grant, 'aat-rev-d10', { [TOOL]: rootMap, [OTHER_TOOL]: 'any' }),
    args: args({ path: '/srv/a.md' }),
    expected: malformedAt(1, '4n'),
  });

  // --- admissible numbers (section 3.4, steps 3b, 3c, 3n, 4o, 6b, 7c) ---------------------
  add({
    name: 'constraint-number-inadmissible',
    comment: 'a constraint value 9007199254740993 reads as 9007199254740992 (2^53 + 1)',
    section: '3.4',
    token: root(
      'aat-rev-num-root',
      {
        ...ROOT_TOOLS,
        [OTHER_TOOL]: { id: { constraint_type: 'exact', value: '#n#' } },
      },
      { literals: { '#n#': '9007199254740993' } },
    ),
    args: args({ path: '/srv/a.md' }),
    expected: malformedAt(0, '3n'),
  });
  add({
    name: 'derived-constraint-number-inadmissible',
    comment: 'a derived range bound 1.00000000000000001 reads as 1',
    section: '3.4',
    token: child(
      grant,
      'aat-rev-d11',
      withTool({ ...rootNamed, head: { constraint_type: 'range', max: '#n#', optional: true } }),
      { '#n#': '1.00000000000000001' },
    ),
    args: args({ path: '/srv/a.md' }),
    expected: malformedAt(1, '4o'),
  });
  add({
    name: 'argument-number-inadmissible',
    comment: 'an argument 9007199254740993, as written, does not survive the JCS round trip',
    section: '3.4',
    token: grant,
    args: '{"count":9007199254740993,"path":"/srv/a.md"}',
    // Malformed request data keeps its own code; the step is 6b's.
    expected: deny('MALFORMED', 0, 'authorize', '6b'),
  });
  add({
    name: 'argument-number-admissible-above-2^53',
    comment: '9007199254740994 is above 2^53 and survives the JCS round trip',
    section: '3.4',
    token: grant,
    args: '{"count":9007199254740994,"path":"/srv/a.md"}',
    expected: 'valid',
  });
  /** A root whose integer claim `claim` is written `literal` (section 3.2: no fraction or exponent). */
  const writtenAs = (name: string, claim: string, literal: string, step: string) =>
    add({
      name,
      comment: `NumericDates and the depth claims have no fraction or exponent: ${claim} ${literal}`,
      section: '3.2',
      token: root(`aat-rev-${name}`, ROOT_TOOLS, {
        extra: { [claim]: '#v#' },
        literals: { '#v#': literal },
      }),
      args: args({ path: '/srv/a.md' }),
      expected: malformedAt(0, step),
    });
  writtenAs('iat-with-fraction', 'iat', `${NOW - 60}.0`, '3b');
  writtenAs('del-depth-with-exponent', 'del_depth', '0e0', '3c');
  add({
    name: 'hta-missing',
    comment: 'the PoP must carry hta',
    section: '7.2',
    token: grant,
    args: args({ path: '/srv/a.md' }),
    hta: null,
    expected: deny('PROOF_INVALID', 0, 'possession', '7c'),
  });
  add({
    name: 'hta-number-inadmissible',
    comment: 'hta 9007199254740993 would compare equal to args 9007199254740992 after JCS',
    section: '3.4',
    token: grant,
    args: '{"count":9007199254740992,"path":"/srv/a.md"}',
    hta: '{"count":9007199254740993,"path":"/srv/a.md"}',
    expected: deny('PROOF_INVALID', 0, 'possession', '7c'),
  });

  const keys = (Object.keys(k) as Party[]).map((name) => [
    name,
    { seed: TEST_SEEDS[name], publicJwk: k[name].publicJwk, id: k[name].id },
  ]);
  return {
    name: 'mandate-aat-revision',
    version: 1,
    description:
      'AAT chains exercising the rules of the 2026-09-29 revision of draft -02, with the decision and step a verifier must reach. See docs/vectors.md.',
    draft: 'draft-niyikiza-oauth-attenuating-agent-tokens-02 (revision dated 2026-09-29)',
    generator: 'scripts/generate-vectors.ts (npm run vectors:generate)',
    algorithm: 'Ed25519',
    keys: Object.fromEntries(keys) as AatRevisionFile['keys'],
    verifier: {
      trustAnchors: [{ id: ISSUER, publicJwk: k.anchor.publicJwk }],
      audience: AUDIENCE,
      proofWindow: 60,
      maxIatSkew: 30,
      maxTokenLifetime: 7_776_000,
      maxDelegationDepth: 8,
      requireAudience: false,
      requirePopAudience: true,
    },
    numberOfTests: tests.length,
    tests,
  };
}
