/**
 * End to end in several processes: an A2A orchestrator, an A2A billing agent, an MCP payment
 * tool and a thief, each its own `node` process on loopback, with a static trust anchor (the
 * OAuth authorization server is not wired in yet). The same run `mandate demo --processes` prints.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runProcessDemo } from '../../../src/cli/processes/run.js';

const run = promisify(execFile);

describe('user -> orchestrator (A2A) -> billing agent (A2A) -> payment tool (MCP), in processes', () => {
  it('genuine succeeds; confused deputy, replay, theft and revocation are refused where expected', async () => {
    const rows = await runProcessDemo();
    const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
    expect(byName['genuine call']?.outcome).toMatchObject({ allowed: true, subject: 'alice' });
    expect((byName['genuine call']?.outcome as unknown as { chain: string[] }).chain).toHaveLength(
      5,
    );
    expect(byName['confused deputy']?.outcome).toMatchObject({
      code: 'MANDATE_FORBIDDEN',
      hop: 2,
      check: 'authorize',
    });
    // The billing agent's own grant would have allowed that payment: it was not used.
    expect(byName['confused deputy']?.story).toContain('its own grant would allow it: true');
    expect(byName['replayed call']?.outcome).toMatchObject({ code: 'MANDATE_REPLAYED', hop: 3 });
    expect(byName['stolen mandate']?.outcome).toMatchObject({
      code: 'MANDATE_PROOF_INVALID',
      hop: 3,
    });
    expect(byName['after revocation']?.outcome).toMatchObject({ code: 'MANDATE_REVOKED', hop: 0 });
    expect(rows.every((row) => row.ok)).toBe(true);
  }, 120_000);

  it('`mandate demo --processes` prints the scenario table and exits 0', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--processes'],
      {
        timeout: 120_000,
      },
    );
    expect(stdout).toContain('scenario              expected                            result');
    expect(stdout).toMatch(
      / {2}confused deputy +MANDATE_FORBIDDEN @ hop 2 +MANDATE_FORBIDDEN @ hop 2 \(authorize\)/,
    );
    expect(stdout).toContain('every scenario ended as expected');
  }, 120_000);
});
