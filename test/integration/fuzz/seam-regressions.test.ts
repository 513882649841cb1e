/**
 * Seam bugs the differential seam fuzz found (issue 18), one named regression test each, on
 * every framework it was found on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeQuery } from '../../../src/adapters/http/query.js';
import {
  ARGS_FRAMEWORKS,
  createBankHolder,
  sendSigned,
  startArgsApp,
  type ArgsRun,
  type BankHolder,
} from './args-apps.js';

let holder: BankHolder;

beforeAll(async () => {
  holder = await createBankHolder();
});

describe.each(ARGS_FRAMEWORKS)('seam fuzz finding: repeated query names on %s', (framework) => {
  let app: { origin: string; runs: ArgsRun[]; close: () => Promise<void> };
  beforeAll(async () => {
    app = await startArgsApp(framework, { verifier: holder.verifier });
  });
  afterAll(() => app.close());

  const get = (target: string) => sendSigned(app.origin, holder, { method: 'GET', target });

  it('regression: ?to=bob&to=mallory is 400 ambiguous, not verified as "bob" while Express hands the handler ["bob","mallory"]', async () => {
    app.runs.length = 0;
    const reply = await get('/transfer?to=bob&to=mallory&amount=1');
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      error: 'invalid_request',
      code: 'MANDATE_MALFORMED',
      hop: 0,
      check: 'limits',
    });
    expect(app.runs).toEqual([]);
  });

  it('regression: the shrunk counterexample ?to&to is 400 too', async () => {
    app.runs.length = 0;
    expect((await get('/transfer?to&to')).status).toBe(400);
    expect(app.runs).toEqual([]);
  });

  it('regression: a qs bracket twin (?to=bob&to[]=mallory) is 400', async () => {
    app.runs.length = 0;
    expect((await get('/transfer?to=bob&to[]=mallory&amount=1')).status).toBe(400);
    expect((await get('/transfer?to=bob&to%5B0%5D=mallory&amount=1')).status).toBe(400);
    expect(app.runs).toEqual([]);
  });

  it('a query whose names occur once still runs, with exactly the verified arguments', async () => {
    app.runs.length = 0;
    expect((await get('/transfer?to=bob&amount=1&memo=x&memo=y')).status).toBe(200);
    expect(app.runs).toHaveLength(1);
    expect(app.runs[0]?.read).toEqual({ to: 'bob', amount: 1 });
    expect(app.runs[0]?.verified?.args).toEqual({ to: 'bob', amount: 1 });
  });
});

describe('routeQuery: what a route action may read', () => {
  it('get of a repeated name throws the coded ambiguity; getAll of it does not', () => {
    const query = routeQuery('?tag=a&tag=b&one=1');
    expect(() => query.get('tag')).toThrow(
      expect.objectContaining({
        code: 'MANDATE_MALFORMED',
        hop: 0,
        check: 'limits',
        detail: { reason: 'repeated-query', parameter: 'tag' },
      }),
    );
    expect(query.getAll('tag')).toEqual(['a', 'b']);
    expect(query.get('one')).toBe('1');
    expect(query.has('one')).toBe(true);
  });

  it('a name also written with brackets is refused by get, getAll and has', () => {
    const query = routeQuery('?to=bob&to[x]=mallory');
    expect(() => query.get('to')).toThrow(/occurs more than once/);
    expect(() => query.getAll('to')).toThrow(/occurs more than once/);
    expect(() => query.has('to')).toThrow(/occurs more than once/);
  });

  it('names are compared decoded, as every framework decodes them (a%6Dount is amount)', () => {
    expect(() => routeQuery('?amount=1&a%6Dount=5000').get('amount')).toThrow(/amount/);
  });
});

describe.each(ARGS_FRAMEWORKS)(
  'seam fuzz finding: invalid escapes in the query on %s',
  (framework) => {
    let app: { origin: string; runs: ArgsRun[]; close: () => Promise<void> };
    beforeAll(async () => {
      app = await startArgsApp(framework, { verifier: holder.verifier });
    });
    afterAll(() => app.close());

    it('regression: ?to=%E0 is 400 ambiguous, not verified as U+FFFD while Hono hands the handler "%E0"', async () => {
      app.runs.length = 0;
      const reply = await sendSigned(app.origin, holder, {
        method: 'GET',
        target: '/transfer?to=%E0&amount=1',
      });
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ code: 'MANDATE_MALFORMED', hop: 0, check: 'limits' });
      expect(app.runs).toEqual([]);
    });
  },
);

describe('routeQuery: invalid escapes', () => {
  it.each(['?to=%E0', '?to=%', '?to=%zz', '?to=%C0%AE', '?t%E0=1&to=bob', '?to=%ED%A0%80'])(
    '%s: any read is refused (bad-query-encoding)',
    (search) => {
      expect(() => routeQuery(search).get('to')).toThrow(
        expect.objectContaining({ detail: { reason: 'bad-query-encoding', parameter: 'to' } }),
      );
    },
  );

  it('valid escapes and + read as every framework reads them', () => {
    const query = routeQuery('?to=b%C3%A9b+x&amount=%31');
    expect(query.get('to')).toBe('béb x');
    expect(query.get('amount')).toBe('1');
  });
});
