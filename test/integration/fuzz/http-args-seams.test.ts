/**
 * Differential seam fuzzing, HTTP arguments (issue 18): generated queries (repeated names,
 * encoded names, `+`, invalid escapes, bracket names) and JSON bodies (duplicate members,
 * escaped names, `__proto__`, edge numbers, content types and charsets) sent over loopback to
 * Express 5 (body parser before and after the guard), Hono and node:http apps whose routes take
 * their arguments from the query and the body (`./args-apps.ts`). The law, per request and app:
 * a handler runs only with a Decision, and the arguments it reads from its own framework are
 * exactly the ones the guard verified; a genuine request (plain query or body, in scope) runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ARGS_FRAMEWORKS,
  createBankHolder,
  sendSigned,
  startArgsApp,
  type ArgsFramework,
  type BankHolder,
  type ArgsRun,
  type SignedRequest,
} from './args-apps.js';
import { sameJson } from './tool-schemas.js';
import { seamRuns, seamTimeout, Tally } from './runs.js';

interface App {
  readonly framework: ArgsFramework;
  origin: string;
  runs: ArgsRun[];
  close: () => Promise<void>;
}

const apps: App[] = ARGS_FRAMEWORKS.map((framework) => ({
  framework,
  origin: '',
  runs: [],
  close: () => Promise.resolve(),
}));
let holder: BankHolder;

beforeAll(async () => {
  holder = await createBankHolder();
  for (const app of apps) {
    Object.assign(app, await startArgsApp(app.framework, { verifier: holder.verifier }));
  }
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

/** Query pieces: names and values some parser reads differently from another. */
const queryName = fc.constantFrom(
  'to',
  'amount',
  'memo',
  'a%6Dount',
  't%6F',
  'amount[]',
  'to[0]',
  'TO',
  'to%00',
);
const queryValue = fc.constantFrom(
  'bob',
  'mallory',
  '1',
  '50',
  '5000',
  'b%6Fb',
  'mal+lory',
  'mal%2Blory',
  '%E0',
  '%',
  '',
  '1e2',
  '-0',
  '0x10',
  '+1',
);
const query = fc
  .array(fc.tuple(queryName, fc.option(queryValue, { nil: undefined })), {
    minLength: 0,
    maxLength: 4,
  })
  .map((pairs) => pairs.map(([n, v]) => (v === undefined ? n : `${n}=${v}`)).join('&'));

/** Body texts: plain ones and ones two JSON readers may read differently. */
const bodyText = fc.oneof(
  fc
    .record(
      {
        to: fc.constantFrom('bob', 'mallory', 'carol'),
        amount: fc.constantFrom(1, 50, 100, 5000, -1),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.constantFrom(
    '{"to":"bob","amount":1,"amount":5000}',
    '{"to":"bob","\\u0061mount":5000}',
    '{"to":"bob","amount":1,"memo":"x","__proto__":{"amount":5000}}',
    '{"to":"bob","amount":1e400}',
    '{"to":"bob","amount":-0}',
    '{"to":"bob","amount":1.0}',
    '{"to":"bob","amount":100.0000000000000001}',
    '{"to":"mal\\u006cory","amount":1}',
    '\ufeff{"to":"bob","amount":1}',
    '{"to":"bob","amount":1} ',
    '{"to":"bob","amount":1}{"amount":5000}',
    '[1]',
    'null',
    '',
    '{"to":"bob","amount":1,"memo":"\\ud800"}',
  ),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16le',
  'text/plain',
  'application/x-www-form-urlencoded',
  undefined,
);

interface Sent extends SignedRequest {
  /** A plain request: its arguments read alike everywhere (the genuine oracle applies). */
  readonly plain: boolean;
  /** The arguments a plain request carries. */
  readonly args?: Record<string, unknown>;
}

const generated: fc.Arbitrary<Sent> = fc.oneof(
  query.map((q) => ({
    method: 'GET' as const,
    target: `/transfer${q === '' ? '' : `?${q}`}`,
    plain: false,
  })),
  fc
    .tuple(fc.constantFrom('bob', 'mallory', 'carol'), fc.constantFrom(0, 1, 50, 100, 101, 5000))
    .map(([to, amount]) => ({
      method: 'GET' as const,
      target: `/transfer?to=${to}&amount=${amount}`,
      plain: true,
      args: { to, amount },
    })),
  fc.tuple(bodyText, contentType).map(([body, type]) => ({
    method: 'POST' as const,
    target: '/pay',
    body,
    ...(type === undefined ? {} : { contentType: type }),
    plain: false,
  })),
  fc.tuple(fc.constantFrom('bob', 'mallory'), fc.constantFrom(1, 100, 101)).map(([to, amount]) => ({
    method: 'POST' as const,
    target: '/pay',
    body: JSON.stringify({ to, amount }),
    contentType: 'application/json',
    plain: true,
    args: { to, amount },
  })),
);

async function send(app: App, sent: Sent): Promise<number> {
  return (await sendSigned(app.origin, holder, sent)).status;
}

function allowedPlain(args: Record<string, unknown>): boolean {
  return (
    args.to !== 'mallory' &&
    typeof args.amount === 'number' &&
    args.amount >= 0 &&
    args.amount <= 100
  );
}

describe('differential seam fuzz: HTTP query and body arguments', () => {
  it(
    'a handler reads exactly the arguments the guard verified',
    async () => {
      const outcomes = new Tally();
      const property = fc.asyncProperty(generated, async (sent) => {
        for (const app of apps) {
          app.runs.length = 0;
          const status = await send(app, sent);
          const what = `${app.framework}: ${sent.method} ${sent.target} ${JSON.stringify(sent.body ?? '')} (${sent.contentType ?? 'no content type'}) -> ${status}`;
          const key = `${app.framework} ${status}`;
          outcomes.add(key);
          expect(app.runs.length, what).toBeLessThanOrEqual(1);
          const run = app.runs[0];
          if (run !== undefined) {
            expect(run.verified, `${what}: ran without a Decision`).toBeDefined();
            expect(
              sameJson(run.read, run.verified?.args),
              `${what}: the handler read ${JSON.stringify(run.read)}, the guard verified ${JSON.stringify(run.verified?.args)}`,
            ).toBe(true);
          }
          if (sent.plain && sent.args !== undefined) {
            expect(run !== undefined, `${what}: genuine request`).toBe(allowedPlain(sent.args));
          }
        }
      });
      await fc.assert(property, seamRuns(0.5));
      console.log(`http argument seams: ${outcomes.toString()}`);
      // The fuzz is not vacuous: handlers ran, and ambiguous requests were refused.
      expect(outcomes.get('hono 200')).toBeGreaterThan(0);
      expect(outcomes.get('express-guard-first 400')).toBeGreaterThan(0);
    },
    seamTimeout(0.5),
  );
});
