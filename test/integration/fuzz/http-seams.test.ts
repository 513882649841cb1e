/**
 * Differential seam fuzzing, HTTP (issue 18): generated requests sent verbatim over real
 * loopback to real Express 5 (table guard and route-level guard), Hono on @hono/node-server
 * and node:http apps guarded by `mandate/http`, under both `unmatched` modes, each holding a
 * fresh mandate scoped to a generated set of routes. Each handler records which handler ran
 * and the params its own framework gave it. The law, per request and app:
 *
 * - at most one handler runs, and a protected one runs only with a Decision whose action is
 *   exactly the one it performs (computed from its own framework's params);
 * - without credentials nothing protected runs;
 * - a canonical request in scope runs exactly its handler (200); one out of scope runs nothing.
 *
 * Size: `MANDATE_NUM_RUNS` (default 200; `npm run fuzz:seams` runs 2,000). A failure prints
 * fast-check's seed and path; replay with `MANDATE_SEED=<seed>`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createVerifier,
  generateKeyPair,
  mint,
  prove,
  type CapabilityInput,
  type KeyPair,
} from '../../../src/index.js';
import { authorize } from '../../../src/core/capability.js';
import { validateResourcePattern } from '../../../src/core/names.js';
import {
  PROTECTED,
  expectVerifiedOrNothing,
  performed,
  startRouted,
  type Framework,
  type RoutedApp,
  type Run,
} from '../http/routed-apps.js';
import { sendRaw, type RawReply } from '../http/raw-request.js';
import { generatedCapabilities, generatedRequest, type GeneratedRequest } from './http-targets.js';
import { seamRuns, seamTimeout, Tally } from './runs.js';

const AS = 'https://as.test';
const SERVICE = 'https://payments.test';

interface Deployment {
  readonly name: string;
  readonly framework: Framework;
  readonly unmatched: 'deny' | 'pass-unauthenticated' | 'route';
  app: RoutedApp;
}

const DEPLOYMENTS: Deployment[] = [
  ...(['express', 'hono', 'node'] as const).flatMap((framework) =>
    (['deny', 'pass-unauthenticated'] as const).map((unmatched) => ({
      name: `${framework} (${unmatched})`,
      framework,
      unmatched,
      app: undefined as unknown as RoutedApp,
    })),
  ),
  {
    name: 'express with mandateExpressRoute',
    framework: 'express-route',
    unmatched: 'route',
    app: undefined as unknown as RoutedApp,
  },
];

let anchor: KeyPair;
let agent: KeyPair;

beforeAll(async () => {
  [anchor, agent] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  const verifier = createVerifier({
    trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
    audience: SERVICE,
  });
  for (const d of DEPLOYMENTS) {
    d.app = await startRouted(d.framework, {
      verifier,
      routes: d.unmatched === 'route' ? {} : PROTECTED,
      ...(d.unmatched === 'route' ? {} : { unmatched: d.unmatched }),
    });
  }
});

afterAll(async () => {
  await Promise.all(DEPLOYMENTS.map((d) => d.app?.close()));
});

/** The capabilities a mandate can carry (a generated resource that is no pattern is left out). */
function validCapabilities(caps: readonly CapabilityInput[]): CapabilityInput[] {
  const out = caps.filter((c) => {
    try {
      validateResourcePattern(c.resource);
      return true;
    } catch {
      return false;
    }
  });
  return out.length > 0 ? out : [{ resource: 'billing:exports/7', actions: ['read'] }];
}

function ownCapability(action: { resource: string; action: string }): CapabilityInput {
  return { resource: action.resource, actions: [action.action] };
}

/** The request with the mandate and a proof for this app's origin (none if no proof can be made). */
async function signed(app: RoutedApp, token: string, request: GeneratedRequest): Promise<RawReply> {
  const path = request.target.replace(/^[A-Za-z]+:\/\/[^/]*/, '');
  const headers: Record<string, string> = { authorization: `DPoP ${token}` };
  try {
    headers.dpop = await prove(token, {
      signer: agent,
      request: { method: request.method, url: `${app.origin}${path}` },
    });
  } catch {
    // A target no URL parser accepts: sent with the mandate alone (the guard must still decide).
  }
  return sendRaw(app.origin, request.method, request.target, headers);
}

/** Send, tolerating Node's client refusing the target (then nothing reached any app). */
async function send(thunk: () => Promise<RawReply>): Promise<RawReply | undefined> {
  try {
    return await thunk();
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_UNESCAPED_CHARACTERS') return undefined;
    throw error;
  }
}

/** Law 3: a canonical request runs exactly its handler when in scope, nothing otherwise. */
function expectCanonical(
  d: Deployment,
  request: GeneratedRequest,
  caps: readonly CapabilityInput[],
  reply: RawReply | undefined,
  what: string,
): void {
  const runs = d.app.runs;
  expect(reply, what).toBeDefined();
  const status = reply?.status;
  if (request.handler === undefined) {
    expect(runs, what).toEqual([]);
    expect([403, 404], what).toContain(status);
    return;
  }
  if (request.handler === 'public') {
    if (d.unmatched === 'deny') {
      expect(status, what).toBe(403);
      expect(runs, what).toEqual([]);
    } else {
      expect(status, what).toBe(200);
      expect(
        runs.map((r) => r.handler),
        what,
      ).toEqual(['public']);
    }
    return;
  }
  const action = request.action;
  if (action === undefined) throw new Error('a protected route has an action');
  if (authorize(caps, action).allowed) {
    expect(status, `${what}: genuine and in scope, yet denied`).toBe(200);
    expect(runs, what).toHaveLength(1);
    expect(runs[0]?.handler, what).toBe(request.handler);
    expect(runs[0]?.verified, what).toEqual(action);
    expect(performed(runs[0] as Run), what).toEqual(action);
  } else {
    expect(runs, `${what}: out of scope, yet it ran`).toEqual([]);
    // 403, or 400/401 for a resource no mandate can name (`billing:invoices/*`), with its code.
    expect([400, 401, 403], what).toContain(status);
    // A HEAD reply has no body to name the code.
    if (request.method !== 'HEAD') {
      expect(reply?.body?.code, what).toMatch(/^MANDATE_(FORBIDDEN|MALFORMED)$/);
    }
  }
}

describe('differential seam fuzz: HTTP targets on Express 5, Hono and node:http', () => {
  it(
    'every handler that runs runs the verified action; genuine requests in scope run',
    async () => {
      let sent = 0;
      let ran = 0;
      let canonical = 0;
      const statuses = new Tally();
      const property = fc.asyncProperty(
        generatedRequest,
        generatedCapabilities,
        fc.boolean(),
        fc.boolean(),
        async (request, generated, ownScope, withCredentials) => {
          // Half the mandates also grant the very action the request aims at: genuine calls.
          const own =
            ownScope && request.action !== undefined ? [ownCapability(request.action)] : [];
          const caps = validCapabilities([...own, ...generated]);
          const mandate = await mint({
            issuer: anchor,
            issuerId: AS,
            subject: 'alice',
            holder: agent.publicJwk,
            capabilities: caps,
            audience: SERVICE,
            expiresIn: '10m',
          });
          if (request.canonical) canonical++;
          for (const d of DEPLOYMENTS) {
            const what = `${d.name}: ${request.method} ${JSON.stringify(request.target)} [${request.mutations.join(', ')}] ${withCredentials ? 'with' : 'without'} credentials, scope ${JSON.stringify(caps)}`;
            d.app.runs.length = 0;
            const reply = await send(() =>
              withCredentials
                ? signed(d.app, mandate.token, request)
                : sendRaw(d.app.origin, request.method, request.target),
            );
            sent++;
            ran += d.app.runs.length;
            const key = String(reply?.status ?? 'refused by the client');
            statuses.add(key);
            expectVerifiedOrNothing(d.app.runs, what);
            if (!withCredentials) {
              expect(
                d.app.runs.filter((r) => r.handler !== 'public'),
                `${what}: a protected handler ran without credentials`,
              ).toEqual([]);
            } else if (request.canonical) {
              expectCanonical(d, request, caps, reply, what);
            }
          }
        },
      );
      await fc.assert(property, seamRuns());
      // The fuzz is not vacuous: genuine requests were generated and handlers did run.
      expect(canonical).toBeGreaterThan(0);
      expect(ran).toBeGreaterThan(0);
      const byStatus = statuses.toString();
      console.log(
        `http seams: ${sent} requests, ${ran} handler runs, ${canonical} canonical; ${byStatus}`,
      );
    },
    seamTimeout(),
  );
});
