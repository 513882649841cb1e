/**
 * A child process serving the MCP payment tool (`pay_invoice`, guarded by `mandate/mcp`) over
 * Streamable HTTP on loopback. Its trust anchor comes in `MANDATE_TEST_TOOL` (JSON); it prints
 * one `{"ready":{"url":...}}` line when it listens.
 */
import { createVerifier } from '../../src/index.js';
import { startPaymentTool } from '../integration/mcp/server.js';

const config = JSON.parse(process.env.MANDATE_TEST_TOOL ?? 'null') as {
  anchorId: string;
  anchorJwk: Record<string, unknown>;
  audience: string;
  userKeys?: Record<string, Record<string, unknown>[]>;
};
const verifier = createVerifier({
  trustAnchors: [{ id: config.anchorId, publicJwk: config.anchorJwk }],
  audience: config.audience,
  // Whose approval counts as a user's own (docs/guides/approvals.md): the keys they registered.
  userKeys: (subject) =>
    Object.hasOwn(config.userKeys ?? {}, subject) ? (config.userKeys?.[subject] ?? []) : [],
});
const server = await startPaymentTool(verifier, {
  audience: config.audience,
  authorizationServers: [config.anchorId],
});
process.stdout.write(`${JSON.stringify({ ready: { url: server.url } })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
