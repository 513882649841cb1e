/** `mandate demo`: the handshake and every attack, one row per scenario. */
import type { Format } from '../core/types.js';
import {
  authorizationServerFromEnv,
  createCast,
  meetsExpectation,
  SCENARIOS,
  type Expected,
} from './scenarios.js';
import { deniedFrom, type Decision } from '../verify/decision.js';
import { isMandateError } from '../core/errors.js';

function describe(expected: Expected): string {
  return 'allowed' in expected ? 'allowed' : `${expected.code} @ hop ${expected.hop}`;
}

function outcome(decision: Decision): string {
  return decision.allowed
    ? `allowed (user ${decision.subject}, via ${decision.chain.length - 1} holder(s))`
    : `${decision.code} @ hop ${decision.hop} (${decision.check})`;
}

/**
 * Run every scenario for each format; resolves the exit code (1 if any surprised). alice's
 * root comes from a loopback authorization server: oidc-provider when installed, else the
 * node:http server; `MANDATE_DEMO_AUTHORIZATION_SERVER` (`oidc-provider`, `node-http`,
 * `auto`) chooses.
 */
export async function runDemo(formats: readonly Format[]): Promise<number> {
  let surprises = 0;
  for (const format of formats) {
    let cast;
    try {
      cast = await createCast(format, { authorizationServer: authorizationServerFromEnv() });
    } catch (error) {
      process.stdout.write(`\n[${format}] could not set up: ${(error as Error).message}\n`);
      surprises++;
      continue;
    }
    process.stdout.write(
      `\nMandate demo (${format}): alice -> orchestrator -> billing agent -> payment tool\n\n`,
    );
    process.stdout.write(`root grant: ${cast.rootSource}\n\n`);
    process.stdout.write(`${'scenario'.padEnd(22)}${'expected'.padEnd(36)}result\n`);
    for (const scenario of SCENARIOS) {
      let decision: Decision;
      try {
        decision = await scenario.run(cast);
      } catch (error) {
        // `delegate` refusing to build a widening is itself a denial, with the same code.
        if (!isMandateError(error)) throw error;
        decision = deniedFrom(error);
      }
      const ok = meetsExpectation(decision, scenario.expected);
      if (!ok) surprises++;
      process.stdout.write(
        `${ok ? ' ' : '!'} ${scenario.name.padEnd(20)}${describe(scenario.expected).padEnd(36)}${outcome(decision)}\n`,
      );
    }
  }
  process.stdout.write(
    surprises === 0
      ? '\nevery scenario ended as expected\n'
      : `\n${surprises} scenario(s) ended unexpectedly\n`,
  );
  return surprises === 0 ? 0 : 1;
}
