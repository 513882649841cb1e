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
const backEdge = (from: string, target: string) => ({
  messageId: 'backEdge',
  data: { from, to: target.split('/')[0], target, order },
});

tester.run('one-way-imports', oneWayImports, {
  valid: [
    // Down the list, within a folder, packages, node builtins.
    { code: "import { z } from 'zod';", filename: file('core/x.ts'), options },
    { code: "import { deepFreeze } from './freeze.js';", filename: file('core/x.ts'), options },
    {
      code: "import { KeyCache } from '../core/bounded-map.js';",
      filename: file('identity/x.ts'),
      options,
    },
    {
      code: "import type { Limits } from '../../core/limits.js';",
      filename: file('format/jws/x.ts'),
      options,
    },
    {
      code: "import { codecFor } from '../format/codec.js';",
      filename: file('verify/x.ts'),
      options,
    },
    {
      code: "const m = await import('./verifiable.js');",
      filename: file('format/biscuit/x.ts'),
      options,
    },
    // An entry point directly under src/ may import any layer.
    { code: "export { main } from './cli/main.js';", filename: file('index.ts'), options },
    // The stores sit below format: the verifier may use the default replay store.
    {
      code: "import { MemoryReplayStore } from '../stores/memory.js';",
      filename: file('verify/config.ts'),
      options,
    },
    // Outside src/: not layered.
    {
      code: "import { mint } from '../src/index.js';",
      filename: path.join(root, 'bench/x.ts'),
      options,
    },
  ],
  invalid: [
    {
      code: "import { parseCompactJws } from '../../format/jws/compact.js';",
      filename: file('identity/agent-card/verify.ts'),
      options,
      errors: [backEdge('identity', 'format/jws/compact.js')],
    },
    {
      code: "import type { PublicJwk } from '../identity/jwk.js';",
      filename: file('core/x.ts'),
      options,
      errors: [backEdge('core', 'identity/jwk.js')],
    },
    {
      code: "import type { VerifiableChain } from '../../verify/chain.js';",
      filename: file('format/aat/x.ts'),
      options,
      errors: [backEdge('format', 'verify/chain.js')],
    },
    {
      code: "export * from '../proof/check.js';",
      filename: file('format/x.ts'),
      options,
      errors: [backEdge('format', 'proof/check.js')],
    },
    {
      code: "export { checkProof } from '../proof/check.js';",
      filename: file('format/x.ts'),
      options,
      errors: [backEdge('format', 'proof/check.js')],
    },
    {
      code: "const rules = await import('../../verify/rules.js');",
      filename: file('format/biscuit/x.ts'),
      options,
      errors: [backEdge('format', 'verify/rules.js')],
    },
    {
      code: "type Rules = typeof import('../verify/rules.js');",
      filename: file('proof/x.ts'),
      options,
      errors: [backEdge('proof', 'verify/rules.js')],
    },
    {
      // The stores speak only core and identity.
      code: "import { parseMandate } from '../format/parse.js';",
      filename: file('stores/memory.ts'),
      options,
      errors: [backEdge('stores', 'format/parse.js')],
    },
    {
      code: "import { createVerifier } from '../../verify/verifier.js';",
      filename: file('stores/redis/x.ts'),
      options,
      errors: [backEdge('stores', 'verify/verifier.js')],
    },
    {
      code: "import { x } from '../elsewhere/x.js';",
      filename: file('format/x.ts'),
      options,
      errors: [{ messageId: 'unknownLayer', data: { layer: 'elsewhere' } }],
    },
    {
      code: 'export const x = 1;',
      filename: file('elsewhere/x.ts'),
      options,
      errors: [{ messageId: 'unknownLayer', data: { layer: 'elsewhere' } }],
    },
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
