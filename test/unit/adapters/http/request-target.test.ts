/**
 * The request target as `mandate/http` reads it (`readRequestTarget`) and the route table's
 * matching (`matchRoute`): every spelling routers read differently is refused with its reason,
 * and an accepted target reads the same in WHATWG `URL`, Node's `url.parse` and Hono's router.
 */
import { parse as legacyParse } from 'node:url';
import fc from 'fast-check';
import { getPath as honoPath } from 'hono/utils/url';
import { describe, expect, it } from 'vitest';
import { isMandateError } from '../../../../src/core/errors.js';
import { readRequestTarget } from '../../../../src/adapters/http/index.js';
import { compileRoutes, matchRoute, routerParams } from '../../../../src/adapters/http/routes.js';
import { NUM_RUNS } from '../../../../src/testing/config.js';

function refusal(target: string): unknown {
  try {
    readRequestTarget(target);
  } catch (error) {
    if (!isMandateError(error)) throw error;
    return { code: error.code, hop: error.hop, check: error.check, reason: error.detail.reason };
  }
  return undefined;
}

describe('readRequestTarget', () => {
  it.each([
    ['/a\\b', 'bad-character'],
    ['/a/../b', 'dot-segment'],
    ['/a/./b', 'dot-segment'],
    ['/..', 'dot-segment'],
    ['/a/%2e%2e/b', 'encoded-plain'],
    ['/a/%2E/b', 'encoded-plain'],
    ['/a%2eb', 'encoded-plain'],
    ['/p%61y', 'encoded-plain'],
    ['/a%7e', 'encoded-plain'],
    ['/a%2fb', 'encoded-separator'],
    ['/a%2Fb', 'encoded-separator'],
    ['/a%5cb', 'encoded-separator'],
    ['/a%5Cb', 'encoded-separator'],
    ['/%252e', 'encoded-percent'],
    ['/a%00', 'encoded-control'],
    ['/a%0a', 'encoded-control'],
    ['/a%7F', 'encoded-control'],
    ['/a%', 'bad-percent'],
    ['/a%2', 'bad-percent'],
    ['/a%zz', 'bad-percent'],
    ['//a', 'empty-segment'],
    ['/a//b', 'empty-segment'],
    ['/a;b', 'bad-character'],
    ['/a/b;jsessionid=1', 'bad-character'],
    ['/a b', 'bad-character'],
    ['/a#b', 'bad-character'],
    ['/é', 'bad-character'],
    ['/a%c0%ae', 'bad-utf8'],
    ['/a%c0%af', 'bad-utf8'],
    ['/a%e0%80%ae', 'bad-utf8'],
    ['/a%ed%a0%80', 'bad-utf8'],
    ['/a%ff', 'bad-utf8'],
    ['/a%C3', 'bad-utf8'],
    ['/e%CC%81', 'look-alike'],
    ['/a%E2%80%8B', 'look-alike'],
    ['/a%E2%80%AE', 'look-alike'],
    ['/%EF%BC%8E%EF%BC%8E', 'look-alike'],
    ['/%EF%BC%8F', 'look-alike'],
    ['/%E2%85%B0', 'look-alike'],
    ['/%EF%AC%81le', 'look-alike'],
    ['/a?b#c', 'bad-query'],
    ['/a?b c', 'bad-query'],
    ['/a?\u00e9', 'bad-query'],
    ['*', 'not-origin-form'],
    ['', 'not-origin-form'],
    ['a/b', 'not-origin-form'],
    ['http://host', 'not-origin-form'],
    ['http://user@host/a', 'not-origin-form'],
    ['http://host/a\\..\\b', 'bad-character'],
  ])('%s is ambiguous (%s)', (target, reason) => {
    expect(refusal(target)).toEqual({ code: 'MANDATE_MALFORMED', hop: 0, check: 'limits', reason });
  });

  it.each([
    ['/', '/', ''],
    ['/invoices/1/pay', '/invoices/1/pay', ''],
    ['/invoices/1/pay/', '/invoices/1/pay/', ''],
    ['/a/b?x=1&y=%2e./..', '/a/b', '?x=1&y=%2e./..'],
    ['/caf%C3%A9%20menu', '/caf%C3%A9%20menu', ''],
    ['/caf%c3%a9', '/caf%c3%a9', ''],
    ['/a%3Bb%3Fc%23d', '/a%3Bb%3Fc%23d', ''],
    ["/a-._~!$&'()*+,=:@", "/a-._~!$&'()*+,=:@", ''],
    ['/.well-known/x', '/.well-known/x', ''],
    ['/...', '/...', ''],
    ['http://host.example:8080/a?b', '/a', '?b'],
  ])('%s is read raw', (target, path, search) => {
    expect(readRequestTarget(target)).toEqual({ path, search });
  });

  const fragment = fc.constantFrom(
    ...['/', '/', 'a', 'B', '1', '.', '..', '-', '~', ':', '@', ';', '=', '&', '+', '\\', ' '],
    ...['%2e', '%2E', '%2f', '%2F', '%5c', '%5C', '%25', '%41', '%7e', '%20', '%3F', '%3B'],
    ...['%C3%A9', '%c3%a9', '%c0%ae', '%EF%BC%8E', '%E2%80%8B', '%CC%81', '%', '%g0', 'é'],
    ...['?', '#', '//'],
  );
  const targets = fc.array(fragment, { maxLength: 12 }).map((parts) => `/${parts.join('')}`);

  it('law: a target is refused with a coded denial, or every router reads its path alike', () => {
    fc.assert(
      fc.property(targets, (target) => {
        let read;
        try {
          read = readRequestTarget(target);
        } catch (error) {
          expect(isMandateError(error) && error.code === 'MANDATE_MALFORMED').toBe(true);
          return;
        }
        const { path } = read;
        // Fetch-API runtimes and @hono/node-server: the WHATWG URL changes nothing.
        expect(new URL(`http://h${target}`).pathname).toBe(path);
        // Express (parseurl falls back to url.parse on some characters): the same path.
        expect(legacyParse(target).pathname).toBe(path);
        // Hono's router reads the decoded path the guard's params decode to.
        expect(honoPath(new Request(`http://h${target}`))).toBe(decodeURI(path));
        // Every segment decodes to one segment.
        for (const segment of path.split('/')) {
          expect(decodeURIComponent(segment)).not.toMatch(/[/\\]/);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('matchRoute', () => {
  const routes = compileRoutes({
    'POST /invoices/:id/pay': { resource: 'billing:invoices/:id', action: 'pay' },
    'GET /export/:id': { resource: 'billing:exports/:id', action: 'read' },
    'HEAD /export/:id': { resource: 'billing:exports/:id', action: 'peek' },
    'GET /files/*path': { resource: 'billing:files/:path', action: 'read' },
    'GET /dir/': { resource: 'billing:dir', action: 'list' },
    '* /any': { resource: 'billing:any', action: 'any' },
  });
  const match = (method: string, path: string) => {
    const found = matchRoute(routes, method, path);
    return found.kind === 'matched' ? { route: found.route, params: found.params } : found;
  };

  it('matches exactly, with decoded params', () => {
    expect(match('POST', '/invoices/caf%C3%A9/pay')).toEqual({
      route: 'POST /invoices/:id/pay',
      params: { id: 'café' },
    });
    expect(match('DELETE', '/any')).toEqual({ route: '* /any', params: {} });
    expect(match('GET', '/dir/')).toEqual({ route: 'GET /dir/', params: {} });
  });

  it('HEAD reaches the first GET route, as Express and Hono dispatch it', () => {
    expect(match('HEAD', '/export/7')).toEqual({ route: 'GET /export/:id', params: { id: '7' } });
  });

  it('a wildcard takes one or more segments, each decoded', () => {
    expect(match('GET', '/files/a/b%20c')).toEqual({
      route: 'GET /files/*path',
      params: { path: 'a/b c' },
    });
    expect(match('GET', '/files')).toEqual({ kind: 'none' });
  });

  it.each([
    ['POST', '/INVOICES/2/pay', 'POST /invoices/:id/pay'],
    ['POST', '/invoices/2/PAY', 'POST /invoices/:id/pay'],
    ['POST', '/invoices/2/pay/', 'POST /invoices/:id/pay'],
    ['HEAD', '/Export/7', 'GET /export/:id'],
    ['GET', '/files/a/', 'GET /files/*path'],
    ['GET', '/dir', 'GET /dir/'],
    ['PUT', '/ANY/', '* /any'],
  ])('%s %s reaches %s only leniently: ambiguous', (method, path, route) => {
    expect(match(method, path)).toEqual({ kind: 'ambiguous', route });
  });

  it('a method no route has, another path, or a param that is not one segment: none', () => {
    expect(match('DELETE', '/invoices/1/pay')).toEqual({ kind: 'none' });
    expect(match('OPTIONS', '/export/7')).toEqual({ kind: 'none' });
    expect(match('POST', '/invoices/1/pay/now')).toEqual({ kind: 'none' });
    expect(match('POST', '/invoices/%E0%A4/pay')).toEqual({ kind: 'none' });
  });

  it.each([
    ['POST /a/%41', 'not a plain path segment'],
    ['POST /a;b', 'not a plain path segment'],
    ['POST /a/../b', 'not a plain path segment'],
    ['POST /a//b', 'not a plain path segment'],
    ['POST /a:b', 'not a plain path segment'],
    ['POST /*rest/x', 'must be the last segment'],
    ['POST /:1x', 'bad parameter'],
    ['post /a', 'must look like'],
  ])('the table refuses %s', (key, message) => {
    expect(() => compileRoutes({ [key]: { resource: 'r:x', action: 'a' } })).toThrow(message);
  });
});

describe("routerParams (a framework's decoded params, for mandateExpressRoute)", () => {
  it("keeps one-segment params and joins a wildcard's segments", () => {
    expect(routerParams({ id: 'caf\u00e9', path: ['a', 'b c'] })).toEqual({
      id: 'caf\u00e9',
      path: 'a/b c',
    });
  });

  it.each([
    ['a slash', { id: 'a/b' }],
    ['a dot-dot', { id: '..' }],
    ['a dot', { path: ['a', '.'] }],
    ['an empty value', { id: '' }],
    ['an empty wildcard', { path: [] }],
    ['a control character', { id: 'a\u0000' }],
    ['a non-string', { id: 1 }],
  ])('refuses %s', (_name, params) => {
    expect(routerParams(params)).toBeUndefined();
  });
});
