/**
 * Differential seam fuzzing, MCP tool arguments (issue 18): a generated tool (its zod input
 * schema defaults, coerces, trims, transforms, strips or keeps unknown keys, has unicode and
 * prototype-named keys) on the official MCP SDK server over Streamable HTTP on loopback, guarded
 * by `mandate/mcp`, called by the official SDK client with generated arguments under a mandate
 * whose capability constrains generated arguments. The tool body records what it received and
 * the Decision it ran under. The law, per call:
 *
 * - the tool runs only with a Decision, and with arguments that are plain JSON, equal to the
 *   ones verified and sent (and proven), which the mandate's capability allows;
 * - a call the capability forbids as sent never runs the tool and is denied with a code;
 * - a genuine call (the schema leaves the arguments as they are, the capability allows them)
 *   runs the tool.
 *
 * Size: `MANDATE_NUM_RUNS` (default 200; `npm run fuzz:seams` runs 2,000); a failure prints
 * fast-check's seed, replayed with `MANDATE_SEED=<seed>`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import fc from 'fast-check';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  createVerifier,
  generateKeyPair,
  mint,
  type Action,
  type KeyPair,
} from '../../../src/index.js';
import {
  callToolWithMandate,
  guardTools,
  mandateDenial,
  mandateOf,
} from '../../../src/adapters/mcp/index.js';
import { serveMcp } from '../../../src/cli/processes/payment-tool.js';
import {
  allows,
  isPlainJson,
  objectSchemaOf,
  sameJson,
  toolCall,
  shapeOf,
  TOOL_ACTION,
  type SchemaSpec,
} from './tool-schemas.js';
import { seamRuns, seamTimeout, Tally } from './runs.js';

const AS = 'https://as.test';
const SERVICE = 'https://tools.test/mcp';

/** The tool of the current run (the stateless server builds one McpServer per request). */
let current: SchemaSpec | undefined;
let received: { args: unknown; verified: Action | undefined }[] = [];

function toolServer(verifier: ReturnType<typeof createVerifier>): McpServer {
  const server = new McpServer({ name: 'fuzz', version: '1.0.0' });
  const spec = current;
  if (spec === undefined) throw new Error('no tool for this run');
  const inputSchema = spec.mode === 'shape' ? shapeOf(spec) : objectSchemaOf(spec);
  server.registerTool('fz', { inputSchema }, (args: unknown, extra: object) => {
    received.push({ args, verified: mandateOf(extra)?.action });
    return { content: [{ type: 'text' as const, text: 'ran' }] };
  });
  guardTools(server, { verifier, tools: { fz: TOOL_ACTION } });
  return server;
}

let anchor: KeyPair;
let caller: KeyPair;
let http: Server;
let client: Client;

beforeAll(async () => {
  [anchor, caller] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  const verifier = createVerifier({
    trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
    audience: SERVICE,
  });
  const app = express();
  app.use(express.json());
  serveMcp(app, '/mcp', () => toolServer(verifier));
  http = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  client = new Client({ name: 'fuzzer', version: '1.0.0' });
  const port = (http.address() as AddressInfo).port;
  current = { fields: [['to', 'string']], mode: 'shape' };
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
});

afterAll(async () => {
  await client?.close();
  http?.closeAllConnections();
  await new Promise((resolve) => http?.close(resolve));
});

describe('differential seam fuzz: MCP tool arguments through the official SDK', () => {
  it(
    'a tool runs only with the arguments that were verified, and genuine calls run',
    async () => {
      const outcomes = new Tally();
      const count = (key: string) => outcomes.add(key);
      const property = fc.asyncProperty(toolCall, async ([spec, [args, capability]]) => {
        const mandate = await mint({
          issuer: anchor,
          issuerId: AS,
          subject: 'alice',
          holder: caller.publicJwk,
          capabilities: [capability],
          audience: SERVICE,
          expiresIn: '10m',
        });
        current = spec;
        received = [];
        const sent = JSON.parse(JSON.stringify(args)) as Record<string, never>;
        let denial;
        let isError = false;
        try {
          const result = await callToolWithMandate(
            client,
            { name: 'fz', arguments: sent },
            { mandate, signer: caller },
          );
          isError = result.isError === true;
        } catch (error) {
          denial = mandateDenial(error);
          if (denial === undefined) throw error;
        }
        const what = `schema ${JSON.stringify(spec)}, sent ${JSON.stringify(sent)}, capability ${JSON.stringify(capability)}`;
        expect(received.length, what).toBeLessThanOrEqual(1);
        const ran = received[0];
        if (ran !== undefined) {
          count('ran');
          expect(ran.verified, `${what}: ran without a Decision`).toBeDefined();
          expect(isPlainJson(ran.args), `${what}: ran with non-JSON arguments`).toBe(true);
          expect(
            sameJson(ran.args, ran.verified?.args),
            `${what}: ran with other arguments than verified`,
          ).toBe(true);
          expect(sameJson(ran.args, sent), `${what}: ran with other arguments than sent`).toBe(
            true,
          );
          expect(
            allows(capability, ran.args),
            `${what}: ran with arguments the mandate forbids`,
          ).toBe(true);
        } else {
          count(
            denial === undefined
              ? isError
                ? 'tool error (schema)'
                : 'nothing'
              : `${denial.code}/${denial.check}`,
          );
        }
        if (denial !== undefined) {
          expect(denial, what).toMatchObject({
            code: expect.stringMatching(/^MANDATE_/),
            hop: expect.any(Number),
            check: expect.any(String),
          });
        }
        if (!allows(capability, sent)) {
          expect(ran, `${what}: forbidden as sent, yet it ran`).toBeUndefined();
          expect(denial, `${what}: forbidden as sent, yet not denied`).toBeDefined();
        }
        const parsed = objectSchemaOf(spec).safeParse(sent);
        if (parsed.success && sameJson(parsed.data, sent) && allows(capability, sent)) {
          expect(
            ran,
            `${what}: genuine (the schema keeps it, the mandate allows it), yet denied ${JSON.stringify(denial)}`,
          ).toBeDefined();
        }
      });
      await fc.assert(property, seamRuns());
      console.log(`mcp seams: ${outcomes.toString()}`);
      expect(outcomes.get('ran')).toBeGreaterThan(0);
    },
    seamTimeout(),
  );
});
