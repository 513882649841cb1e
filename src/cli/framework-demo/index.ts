/**
 * `mandate demo --framework ai|langchain|openai-agents`: the scenario table through one agent
 * framework. The framework (a devDependency, an optional peer of the package) is loaded only
 * here; without it the demo says what to install.
 */
import type { AuditRecord } from '../../verify/audit.js';
import {
  createDemoCast,
  FRAMEWORK_SCENARIOS,
  FRAMEWORKS,
  meets,
  type Expected,
  type Framework,
  type FrameworkDriver,
} from './scenarios.js';
import type { ToolGuardOptions } from '../../adapters/tool-guard.js';

export { FRAMEWORKS, type Framework };

/** Whether `value` names a framework the demo runs through. */
export function isFramework(value: unknown): value is Framework {
  return (FRAMEWORKS as readonly unknown[]).includes(value);
}

const PACKAGES: Readonly<Record<Framework, string>> = {
  ai: 'ai',
  langchain: '@langchain/core @langchain/langgraph',
  'openai-agents': '@openai/agents-core',
};

/** The driver of `framework` (loading the framework). */
export async function driverFor(
  framework: Framework,
  guard: ToolGuardOptions,
): Promise<FrameworkDriver> {
  switch (framework) {
    case 'ai':
      return (await import('./ai.js')).aiDriver(guard);
    case 'langchain':
      return (await import('./langchain.js')).langchainDriver(guard);
    case 'openai-agents':
      return (await import('./openai-agents.js')).openAiAgentsDriver(guard);
  }
}

function describe(expected: Expected): string {
  return 'allowed' in expected
    ? `allowed (${expected.holders} holder(s))`
    : `${expected.code} @ hop ${expected.hop}`;
}

function outcome(record: AuditRecord | undefined): string {
  if (record === undefined) return 'no decision (the tool was never reached)';
  return record.result === 'allowed'
    ? `allowed (user ${record.user}, via ${(record.chain?.length ?? 1) - 1} holder(s))`
    : `${record.code} @ hop ${record.hop} (${record.check})`;
}

/**
 * The decision a row shows. One tool call per scenario: exactly one decision. With a human
 * step, a framework that asks after the verifier's refusal (LangGraph's interrupt) first
 * records that refusal, `MANDATE_APPROVAL_REQUIRED`: the row shows the decision after it.
 */
function decisionOf(made: readonly AuditRecord[], humanStep: boolean): AuditRecord | undefined {
  if (made.length === 1) return made[0];
  if (!humanStep) return undefined;
  const asked = made.slice(0, -1).every((record) => record.code === 'MANDATE_APPROVAL_REQUIRED');
  return asked ? made.at(-1) : undefined;
}

/** Print the table for `framework`; resolves the exit code (1 if any scenario surprised). */
export async function runFrameworkDemo(
  framework: Framework,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  const cast = await createDemoCast();
  let driver: FrameworkDriver;
  try {
    driver = await driverFor(framework, cast.guard);
  } catch (error) {
    write(
      `the ${framework} demo needs ${PACKAGES[framework]} installed (${(error as Error).message})\n`,
    );
    return 1;
  }
  write(
    `\nMandate demo through ${framework}: alice -> orchestrator agent -> billing sub-agent -> tools\n\n`,
  );
  write(`${'scenario'.padEnd(22)}${'expected'.padEnd(36)}result\n`);
  let surprises = 0;
  for (const scenario of FRAMEWORK_SCENARIOS) {
    const before = cast.records.length;
    await scenario.run(driver, cast);
    const made = cast.records.slice(before);
    const record = decisionOf(made, scenario.humanStep === true);
    const ok = meets(record, scenario.expected);
    if (!ok) surprises++;
    write(
      `${ok ? ' ' : '!'} ${scenario.name.padEnd(20)}${describe(scenario.expected).padEnd(36)}${outcome(record)}\n`,
    );
  }
  write(
    surprises === 0
      ? '\nevery scenario ended as expected\n'
      : `\n${surprises} scenario(s) ended unexpectedly\n`,
  );
  return surprises === 0 ? 0 : 1;
}
