/**
 * End to end in several processes: an A2A orchestrator, an A2A billing agent, an MCP payment
 * tool and a thief, each its own `node` process on loopback, with a real authorization server
 * for the root grant (alice's token with `may_act` -> RFC 8693 exchange by the orchestrator ->
 * a root mandate it holds). When `redis-server` is installed the test starts its own on a free
 * port and every verifier shares Redis revocation and replay stores (the thief replays at a
 * second tool instance, which only the shared store can warn); without it, the run uses each
 * process's memory stores and says so. The same run `mandate demo --processes` prints.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runProcessDemo } from '../../../src/cli/processes/run.js';
import { RedisServer, redisSkipReason } from '../redis/redis-server.js';

const run = promisify(execFile);

describe('user -> orchestrator (A2A) -> billing agent (A2A) -> payment tool (MCP), in processes', () => {
  it('genuine succeeds; confused deputy, replay, theft and revocation are refused where expected', async () => {
    let redis: RedisServer | undefined;
    if (redisSkipReason === undefined) redis = await RedisServer.start();
    else {
      console.warn(
        `NOTE: the multi-process run uses memory stores and IPC revocation, not shared Redis: ${redisSkipReason}`,
      );
    }
    try {
      const result = await runProcessDemo({
        authorizationServer: 'oidc-provider',
        ...(redis === undefined ? {} : { redisUrl: redis.url }),
      });
      expect(result.implementation).toBe('oidc-provider');
      expect(result.rootGrant).toContain('RFC 8693 token exchange by the orchestrator');
      expect(result.stores).toMatch(redis === undefined ? /^memory/ : /^Redis, shared/);
      const byName = Object.fromEntries(result.rows.map((row) => [row.name, row]));
      expect(byName['genuine call']?.outcome).toMatchObject({ allowed: true, subject: 'alice' });
      // The authorization server, the orchestrator, the billing agent, the one-time key.
      const chain = (byName['genuine call']?.outcome as unknown as { chain: string[] }).chain;
      expect(chain).toHaveLength(4);
      expect(chain[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(byName['confused deputy']?.outcome).toMatchObject({
        code: 'MANDATE_FORBIDDEN',
        hop: 1,
        check: 'authorize',
      });
      // The billing agent's own grant would have allowed that payment: it was not used.
      expect(byName['confused deputy']?.story).toContain('its own grant would allow it: true');
      expect(byName['replayed call']?.outcome).toMatchObject({ code: 'MANDATE_REPLAYED', hop: 2 });
      expect(byName['replayed call']?.story).toContain(
        redis === undefined ? 'at the tool' : 'at another instance of the tool',
      );
      expect(byName['stolen mandate']?.outcome).toMatchObject({
        code: 'MANDATE_PROOF_INVALID',
        hop: 2,
      });
      expect(byName['after revocation']?.outcome).toMatchObject({
        code: 'MANDATE_REVOKED',
        hop: 0,
      });
      expect(result.rows.every((row) => row.ok)).toBe(true);
    } finally {
      await redis?.dispose();
    }
  }, 120_000);

  it('`mandate demo --processes` (node:http authorization server, memory stores) prints the table and exits 0', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--processes'],
      {
        timeout: 120_000,
        env: { ...process.env, MANDATE_DEMO_AUTHORIZATION_SERVER: 'node-http' },
      },
    );
    expect(stdout).toMatch(
      /root grant: RFC 8693 token exchange by the orchestrator at the loopback authorization server http:\/\/127\.0\.0\.1:\d+ \(the node:http server, as MANDATE_DEMO_AUTHORIZATION_SERVER=node-http asks\)/,
    );
    expect(stdout).toContain('stores: memory, one set per process (no --redis URL)');
    expect(stdout).toContain('scenario              expected                            result');
    expect(stdout).toMatch(
      / {2}confused deputy +MANDATE_FORBIDDEN @ hop 1 +MANDATE_FORBIDDEN @ hop 1 \(authorize\)/,
    );
    expect(stdout).toContain('every scenario ended as expected');
  }, 120_000);
});
