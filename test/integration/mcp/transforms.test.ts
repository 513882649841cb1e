/**
 * Finding 3 of issue 11: what the tool runs with is what was verified. Tools on the official
 * MCP SDK, over Streamable HTTP on loopback, whose input schemas default, coerce, trim,
 * lowercase, transform, preprocess, catch and strip; the mandate forbids paying `mallory` and
 * more than 100. Each tool body records the arguments it received: a call whose arguments the
 * schema would change is denied before the tool runs, so no forbidden value ever reaches it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  createVerifier,
  mint,
  type Json,
  type KeyPair,
  type Mandate,
  type Verifier,
} from '../../../src/index.js';
import {
  callToolWithMandate,
  guardTools,
  mandateDenial,
  mandateOf,
  MANDATE_DENIED,
} from '../../../src/adapters/mcp/index.js';
import { serveMcp } from '../../../src/cli/processes/payment-tool.js';
import { AS, keyPairs } from '../../helpers/billing.js';

const BANK = 'https://bank.test/mcp';
type Args = Record<string, Json>;

/** Each tool's input schema; the body of every tool only records what it received. */
const SCHEMAS = {
  plain: { to: z.string(), amount: z.number().optional() },
  loose: z.looseObject({ to: z.string(), amount: z.number().optional() }),
  defaulted: { to: z.string(), amount: z.number().default(5000) },
  coerced: { to: z.coerce.string(), amount: z.number().optional() },
  trimmed: { to: z.string().trim(), amount: z.number().optional() },
  lowercased: { to: z.string().toLowerCase(), amount: z.number().optional() },
  trimmedLowercased: { to: z.string().trim().toLowerCase(), amount: z.number().optional() },
  transformed: { to: z.string(), amount: z.number().transform((n) => n * 100) },
  preprocessed: {
    to: z.preprocess((v) => (typeof v === 'string' ? v.replaceAll('-', '') : v), z.string()),
    amount: z.number().optional(),
  },
  caught: { to: z.enum(['bob', 'mallory']).catch('mallory'), amount: z.number().optional() },
  stripped: { to: z.string(), amount: z.number().optional() },
  dated: { to: z.string(), when: z.coerce.date() },
} as const;
type Tool = keyof typeof SCHEMAS | 'legacy';

const received: { tool: string; args: unknown; guarded: boolean }[] = [];

function bankTools(verifier: Verifier): McpServer {
  const server = new McpServer({ name: 'bank', version: '1.0.0' });
  for (const [name, inputSchema] of Object.entries(SCHEMAS)) {
    const tool = (args: unknown, extra: object) => {
      received.push({ tool: name, args, guarded: mandateOf(extra) !== undefined });
      return { content: [{ type: 'text' as const, text: 'sent' }] };
    };
    server.registerTool(name, { inputSchema }, tool);
  }
  // The older `tool()` registration feeds the same hand-off.
  server.tool('legacy', { to: z.string().trim() }, (args, extra) => {
    received.push({ tool: 'legacy', args, guarded: mandateOf(extra) !== undefined });
    return { content: [{ type: 'text' as const, text: 'sent' }] };
  });
  const send = { resource: 'bank:transfers', action: 'send' };
  guardTools(server, {
    verifier,
    tools: Object.fromEntries([...Object.keys(SCHEMAS), 'legacy'].map((name) => [name, send])),
  });
  return server;
}

let caller: KeyPair;
let mandate: Mandate;
let http: Server;
let client: Client;

beforeAll(async () => {
  let anchor: KeyPair;
  [anchor, caller] = await keyPairs(2);
  // Never mallory, never more than 100; amount, memo and when may be left out.
  mandate = await mint({
    issuer: anchor,
    issuerId: AS,
    subject: 'alice',
    holder: caller.publicJwk,
    capabilities: [
      {
        resource: 'bank:transfers',
        actions: ['send'],
        constraints: {
          to: { constraint_type: 'not_one_of', excluded: ['mallory'] },
          amount: { max: 100 },
          memo: { constraint_type: 'wildcard' },
          when: { constraint_type: 'wildcard' },
        },
        optional: ['amount', 'memo', 'when'],
      },
    ],
    audience: BANK,
    expiresIn: '15m',
  });
  const verifier = createVerifier({
    trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
    audience: BANK,
  });
  const app = express();
  app.use(express.json());
  serveMcp(app, '/mcp', () => bankTools(verifier));
  http = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  client = new Client({ name: 'payer', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`),
    ),
  );
});

afterAll(async () => {
  await client?.close();
  http?.closeAllConnections();
  await new Promise((resolve) => http?.close(resolve));
});

const call = (name: Tool, args: Args) =>
  callToolWithMandate(client, { name, arguments: args }, { mandate, signer: caller });

/** Send a call and return what the tool received (undefined if it did not run) and any denial. */
async function attempt(name: Tool, args: Args) {
  const before = received.length;
  let denial;
  try {
    const result = await call(name, args);
    expect(result.isError).not.toBe(true);
  } catch (error) {
    expect((error as { code?: number }).code).toBe(MANDATE_DENIED);
    denial = mandateDenial(error);
    expect(denial).toBeDefined();
  }
  const runs = received.slice(before);
  expect(runs.length).toBeLessThanOrEqual(1);
  return { ran: runs[0], denial };
}

/** The call is denied at the hand-off, naming the argument, and the tool never ran. */
async function expectChanged(name: Tool, args: Args, argument: string) {
  const { ran, denial } = await attempt(name, args);
  expect(ran).toBeUndefined();
  expect(denial).toMatchObject({ code: 'MANDATE_MALFORMED', hop: 0, check: 'authorize' });
  expect(denial?.reason).toContain(`input schema of ${name}`);
  expect(denial?.reason).toContain(`argument "${argument}"`);
}

/** No value the mandate forbids ever reached a tool. */
function expectNothingForbiddenRan() {
  for (const { args } of received) {
    const a = args as { to?: unknown; amount?: unknown };
    expect(a.to).not.toBe('mallory');
    expect(typeof a.amount === 'number' ? a.amount : 0).toBeLessThanOrEqual(100);
  }
}

describe('MCP tools run on the verified arguments (issue 11, finding 3)', () => {
  it('regression: {to:"bob"} no longer runs with a schema default amount 5000 (max 100)', async () => {
    await expectChanged('defaulted', { to: 'bob' }, 'amount');
    expectNothingForbiddenRan();
  });

  it('regression: {to:" MALLORY"} no longer runs as "mallory", which the mandate excludes', async () => {
    await expectChanged('trimmedLowercased', { to: ' MALLORY' }, 'to');
    expectNothingForbiddenRan();
  });

  it('arguments the schema leaves as they are run, exactly as verified', async () => {
    const args = { to: 'bob', amount: 50 };
    for (const name of ['plain', 'defaulted', 'trimmed', 'lowercased', 'transformed'] as const) {
      const sent = name === 'transformed' ? { to: 'bob', amount: 0 } : args;
      const { ran, denial } = await attempt(name, sent);
      expect(denial).toBeUndefined();
      expect(ran).toEqual({ tool: name, args: sent, guarded: true });
    }
  });

  it('the verifier still decides first: a forbidden value as sent is MANDATE_FORBIDDEN', async () => {
    const { ran, denial } = await attempt('plain', { to: 'mallory', amount: 1 });
    expect(ran).toBeUndefined();
    expect(denial).toMatchObject({ code: 'MANDATE_FORBIDDEN', hop: 0, check: 'authorize' });
  });

  it('a tool registered with the older tool() is checked the same way', async () => {
    await expectChanged('legacy', { to: ' mallory' }, 'to');
    const { ran, denial } = await attempt('legacy', { to: 'bob' });
    expect(denial).toBeUndefined();
    expect(ran).toEqual({ tool: 'legacy', args: { to: 'bob' }, guarded: true });
  });

  it('default: an absent argument the schema fills in is denied', async () => {
    await expectChanged('defaulted', { to: 'bob' }, 'amount');
  });

  it('coerce: ["mallory"] (not excluded as sent) would run as "mallory": denied', async () => {
    await expectChanged('coerced', { to: ['mallory'] }, 'to');
  });

  it('coerce to a non-JSON value (z.coerce.date) is a change, even with the same JSON form', async () => {
    await expectChanged('dated', { to: 'bob', when: '2026-03-01T00:00:00.000Z' }, 'when');
  });

  it('trim: " mallory" is denied', async () => {
    await expectChanged('trimmed', { to: ' mallory' }, 'to');
  });

  it('lowercase: "MALLORY" is denied', async () => {
    await expectChanged('lowercased', { to: 'MALLORY' }, 'to');
  });

  it('transform: amount 50 (allowed) would run as 5000: denied', async () => {
    await expectChanged('transformed', { to: 'bob', amount: 50 }, 'amount');
  });

  it('preprocess: "mal-lory" would run as "mallory": denied', async () => {
    await expectChanged('preprocessed', { to: 'mal-lory' }, 'to');
  });

  it('catch: "carol" (allowed) would be caught as "mallory": denied', async () => {
    await expectChanged('caught', { to: 'carol' }, 'to');
  });

  it('strip: an extra argument the schema drops is denied; a loose schema keeps it and runs', async () => {
    await expectChanged('stripped', { to: 'bob', memo: 'rent' }, 'memo');
    const { ran, denial } = await attempt('loose', { to: 'bob', memo: 'rent' });
    expect(denial).toBeUndefined();
    expect(ran?.args).toEqual({ to: 'bob', memo: 'rent' });
  });

  it('after every attempt above, no tool ever ran with a forbidden value', () => {
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((r) => r.guarded)).toBe(true);
    expectNothingForbiddenRan();
  });
});

describe('the low-level SDK path cannot bypass the guard', () => {
  const verifier = { verify: () => Promise.reject(new Error('not called')) } as Verifier;

  it('setRequestHandler(CallToolRequestSchema) after guardTools throws and the guard stays', async () => {
    const server = bankTools(verifier);
    const low = server.server as unknown as { _requestHandlers: Map<string, unknown> };
    const guarded = low._requestHandlers.get('tools/call');
    expect(() =>
      server.server.setRequestHandler(CallToolRequestSchema, () => ({ content: [] })),
    ).toThrow(/guarded by mandate\/mcp/);
    expect(low._requestHandlers.get('tools/call')).toBe(guarded);
    expect(() => server.server.removeRequestHandler('tools/call')).toThrow(TypeError);
    expect(low._requestHandlers.get('tools/call')).toBe(guarded);
    await server.close();
  });

  it('a tools/call handler set with setRequestHandler before guarding is refused', () => {
    const server = new McpServer({ name: 'low', version: '1.0.0' });
    server.server.registerCapabilities({ tools: {} });
    server.server.setRequestHandler(CallToolRequestSchema, () => ({ content: [] }));
    expect(() =>
      guardTools(server, { verifier, tools: { any: { resource: 'x:y', action: 'a' } } }),
    ).toThrow(/low-level setRequestHandler/);
  });

  it('a tool reached without passing the guard (hand-off or task poller) is refused', async () => {
    const server = bankTools(verifier);
    const internals = server as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const tool = { handler: () => ({ content: [] }), inputSchema: undefined };
    const before = received.length;
    for (const hook of ['executeToolHandler', 'handleAutomaticTaskPolling']) {
      await expect(internals[hook]!.call(server, tool, { to: 'bob' }, {})).rejects.toMatchObject({
        code: MANDATE_DENIED,
        data: { code: 'MANDATE_INTERNAL', hop: 0, check: 'internal' },
      });
    }
    expect(received.length).toBe(before);
    await server.close();
  });

  it('a server cannot be guarded twice (the second wrap would hide the first)', () => {
    const server = bankTools(verifier);
    expect(() => guardTools(server, { verifier, tools: {} })).toThrow(/already guarded/);
  });
});
