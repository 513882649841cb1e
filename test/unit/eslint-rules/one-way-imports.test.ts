/**
 * The layering lint rule (DESIGN.md section 7) fires on back edges, with the repository's own
 * configuration: the layer list and exceptions in eslint.config.js, wired to `src/**`.
 */
import path from 'node:path';
import { ESLint, RuleTester, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { LAYERS } from '../../../eslint-rules/layers.js';
import { oneWayImports } from '../../../eslint-rules/one-way-imports.js';

Object.assign(RuleTester, { afterAll, describe, it, itOnly: it.only });

const root = process.cwd();
const file = (name: string) => path.join(root, 'src', name);
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });
const options = [LAYERS];
const order = LAYERS.layers.join(' → ');
/** `code` in `where` (a file under src/, or an absolute path) passes. */
const valid = ([where, code]: readonly [string, string]) => ({
  code,
  filename: path.isAbsolute(where) ? where : file(where),
  options,
});
/** `code` in `where` (a file under src/) is a back edge from its layer to `target`. */
const backEdge = ([where, code, target]: readonly [string, string, string]) => ({
  code,
  filename: file(where),
  options,
  errors: [
    {
      messageId: 'backEdge',
      data: { from: where.split('/')[0], to: target.split('/')[0], target, order },
    },
  ],
});
/** `code` in `where` names (or sits in) a folder that is no layer. */
const unknownLayer = ([where, code]: readonly [string, string]) => ({
  code,
  filename: file(where),
  options,
  errors: [{ messageId: 'unknownLayer', data: { layer: 'elsewhere' } }],
});

tester.run('one-way-imports', oneWayImports, {
  valid: (
    [
      // Down the list, within a folder, packages, node builtins.
      ['core/x.ts', "import { z } from 'zod';"],
      ['core/x.ts', "import { deepFreeze } from './freeze.js';"],
      ['identity/x.ts', "import { KeyCache } from '../core/bounded-map.js';"],
      ['format/jws/x.ts', "import type { Limits } from '../../core/limits.js';"],
      ['verify/x.ts', "import { codecFor } from '../format/codec.js';"],
      ['format/biscuit/x.ts', "const m = await import('./verifiable.js');"],
      // An entry point directly under src/ may import any layer.
      ['index.ts', "export { main } from './cli/main.js';"],
      // The stores sit below format: the verifier may use the default replay store.
      ['verify/config.ts', "import { MemoryReplayStore } from '../stores/memory.js';"],
      // Outside src/: not layered.
      [path.join(root, 'bench/x.ts'), "import { mint } from '../src/index.js';"],
    ] as const
  ).map(valid),
  invalid: [
    ...(
      [
        [
          'identity/agent-card/verify.ts',
          "import { parseCompactJws } from '../../format/jws/compact.js';",
          'format/jws/compact.js',
        ],
        ['core/x.ts', "import type { PublicJwk } from '../identity/jwk.js';", 'identity/jwk.js'],
        [
          'format/aat/x.ts',
          "import type { VerifiableChain } from '../../verify/chain.js';",
          'verify/chain.js',
        ],
        ['format/x.ts', "export * from '../proof/check.js';", 'proof/check.js'],
        ['format/x.ts', "export { checkProof } from '../proof/check.js';", 'proof/check.js'],
        [
          'format/biscuit/x.ts',
          "const rules = await import('../../verify/rules.js');",
          'verify/rules.js',
        ],
        ['proof/x.ts', "type Rules = typeof import('../verify/rules.js');", 'verify/rules.js'],
        // The stores speak only core and identity.
        [
          'stores/memory.ts',
          "import { parseMandate } from '../format/parse.js';",
          'format/parse.js',
        ],
        [
          'stores/redis/x.ts',
          "import { createVerifier } from '../../verify/verifier.js';",
          'verify/verifier.js',
        ],
      ] as const
    ).map(backEdge),
    ...(
      [
        ['format/x.ts', "import { x } from '../elsewhere/x.js';"],
        ['elsewhere/x.ts', 'export const x = 1;'],
      ] as const
    ).map(unknownLayer),
  ],
});

describe('eslint.config.js', () => {
  const configUrl = pathToFileURL(path.join(root, 'eslint.config.js')).href;

  it('applies the rule to src/ and names a back edge (identity importing format/)', async () => {
    const { default: config } = (await import(configUrl)) as { default: Linter.Config[] };
    const block = config.find((entry) => entry.rules?.['mandate/one-way-imports'] !== undefined);
    expect(block).toBeDefined();
    // The repository's own block (files, plugin, options), without the type-aware presets.
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [{ languageOptions: { parser: tseslint.parser } }, block as Linter.Config],
    });
    const [result] = await eslint.lintText(
      "import { encodeSegment } from '../format/jws/chain.js';\nexport const x = encodeSegment;\n",
      { filePath: file('identity/fixture.ts') },
    );
    expect(result?.messages.map((message) => [message.ruleId, message.line])).toEqual([
      ['mandate/one-way-imports', 1],
    ]);
    const [clean] = await eslint.lintText(
      "import { sha256Base64url } from '../core/encoding.js';\nexport const x = sha256Base64url;\n",
      { filePath: file('identity/fixture.ts') },
    );
    expect(clean?.messages).toEqual([]);
  });
});
