/** `mandate demo --framework`: every scenario ends as expected through each framework. */
import { describe, expect, it } from 'vitest';
import {
  FRAMEWORKS,
  isFramework,
  runFrameworkDemo,
} from '../../../../src/cli/framework-demo/index.js';
import { FRAMEWORK_SCENARIOS } from '../../../../src/cli/framework-demo/scenarios.js';

describe('mandate demo --framework', () => {
  it.each(FRAMEWORKS)(
    '%s: every scenario ends as expected',
    async (framework) => {
      let out = '';
      const code = await runFrameworkDemo(framework, (text) => {
        out += text;
      });
      expect(out).toContain('every scenario ended as expected');
      expect(code).toBe(0);
      for (const scenario of FRAMEWORK_SCENARIOS) expect(out).toContain(scenario.name);
      expect(out).toContain('MANDATE_FORBIDDEN @ hop 1 (authorize)');
      expect(out).toContain('MANDATE_PROOF_INVALID @ hop 0 (possession)');
    },
    30_000,
  );

  it('names only the three frameworks', () => {
    expect(FRAMEWORKS.filter(isFramework)).toEqual(['ai', 'langchain', 'openai-agents']);
    expect(isFramework('crewai')).toBe(false);
  });
});
