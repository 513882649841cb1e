/** `mandate demo --framework`: every scenario ends as expected through each framework. */
import { describe, expect, it } from 'vitest';
import {
  driverFor,
  FRAMEWORKS,
  isFramework,
  runFrameworkDemo,
} from '../../../../src/cli/framework-demo/index.js';
import {
  createDemoCast,
  FRAMEWORK_SCENARIOS,
} from '../../../../src/cli/framework-demo/scenarios.js';
import type { AskHuman, HumanApprovalRequest } from '../../../../src/adapters/human-approval.js';

const PAY_300 = { tool: 'pay_invoice', args: { invoice: '2026-03', amount: 300 } } as const;

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
      // The approval rows: skipped, refused by the tool; approved by alice, allowed.
      expect(out).toMatch(
        /approval skipped +MANDATE_APPROVAL_REQUIRED @ hop 0 +MANDATE_APPROVAL_REQUIRED @ hop 0 \(authorize\)\n/,
      );
      expect(out).toMatch(/approved payment +allowed \(1 holder\(s\)\) +allowed \(user alice/);
    },
    30_000,
  );

  it.each(FRAMEWORKS)(
    '%s: the approved payment asks alice once, for exactly that call, and runs on her approval only',
    async (framework) => {
      const cast = await createDemoCast();
      const driver = await driverFor(framework, cast.guard);
      const asked: HumanApprovalRequest[] = [];
      const device: AskHuman = (request) => {
        asked.push(request);
        return cast.alicesDevice(request);
      };
      await driver.approved(cast.aliceApproving, PAY_300, device);
      expect(asked).toHaveLength(1);
      expect(asked[0]?.call).toMatchObject({
        resource: 'billing:invoices/2026-03',
        action: 'pay',
        audience: 'https://tools.example',
        args: { invoice: '2026-03', amount: 300 },
      });
      expect(cast.records.at(-1)).toMatchObject({ result: 'allowed', user: 'alice' });
      expect(cast.records.filter((r) => r.result === 'allowed')).toHaveLength(1);

      // alice refuses, or signs another amount: the tool never runs, nothing is allowed.
      const before = cast.records.length;
      await driver.approved(cast.aliceApproving, PAY_300, () => ({ refused: true }));
      await driver.approved(cast.aliceApproving, PAY_300, async (request) =>
        cast.alicesDevice({ ...request, call: { ...request.call, args: { amount: 250 } } }),
      );
      expect(cast.records.slice(before).filter((r) => r.result === 'allowed')).toEqual([]);
    },
    30_000,
  );

  it('names only the three frameworks', () => {
    expect(FRAMEWORKS.filter(isFramework)).toEqual(['ai', 'langchain', 'openai-agents']);
    expect(isFramework('crewai')).toBe(false);
  });
});
