/**
 * Generated HTTP requests for the differential seam fuzz: a request aimed at one route of the
 * routed apps (`../http/routed-apps.ts`), spelled canonically, then bent by zero or more
 * mutations a router may read differently from the guard (case, trailing slash, `//`, dot
 * segments, `\`, `;` parameters, percent-encoding, unicode, query, fragment, absolute form,
 * method). A request with no mutation that changes its reading is `canonical`: the test knows
 * which handler must run and which action it performs. Every other one only has to obey the
 * law (whatever runs, runs what was verified).
 */
import fc from 'fast-check';
import type { Action } from '../../../src/index.js';
import type { Handler } from '../http/routed-apps.js';

/** One generated request. */
export interface GeneratedRequest {
  readonly method: string;
  /** The request target exactly as it goes on the wire (non-ASCII as UTF-8 bytes, latin1). */
  readonly target: string;
  /** The handler a canonical request reaches (undefined: no route). */
  readonly handler: Handler | undefined;
  /** The action that handler performs (a protected one's resource and action). */
  readonly action: Action | undefined;
  /** No mutation changed how any router reads it: the handler and action above must hold. */
  readonly canonical: boolean;
  /** The mutations applied, for the failure report. */
  readonly mutations: readonly string[];
}

/** A param value spelled as every router reads it alike, with its decoded form. */
interface Param {
  readonly raw: string;
  readonly decoded: string;
}

/** Bytes a path segment spells raw (the guard's set: RFC 3986 pchar without `;`). */
const RAW = /^[A-Za-z0-9\-._~!$&'()*+,=:@]$/;

/**
 * A string as a path segment: raw where it has a raw spelling, its UTF-8 bytes as hex escapes
 * (upper or lower case) elsewhere.
 */
function percentEncode(text: string, upper: boolean): string {
  return [...text]
    .map((c) =>
      RAW.test(c)
        ? c
        : [...new TextEncoder().encode(c)]
            .map((b) => `%${b.toString(16).padStart(2, '0')}`)
            .map((e) => (upper ? e.toUpperCase() : e))
            .join(''),
    )
    .join('');
}

/** Plain spellings: unreserved characters and the sub-delims the guard reads raw. */
const plainParam: fc.Arbitrary<Param> = fc
  .oneof(
    fc.constantFrom('1', '2', '7', '8', 'a', 'b.txt', '2026-03', 'x~y', '_', 'purge'),
    fc.stringMatching(/^[A-Za-z0-9._~-]{1,6}$/),
    fc.constantFrom('a!b', '$', '&x', "'q'", '(1)', 'a+b', 'a,b', 'x=y', ':1', 'u@h', '*', '**'),
  )
  .filter((s) => s !== '.' && s !== '..')
  .map((raw) => ({ raw, decoded: raw }));

/** Characters with no raw spelling in a path, percent-encoded: NFC and NFKC text only. */
const encodedParam: fc.Arbitrary<Param> = fc
  .tuple(
    fc.constantFrom(
      'é',
      'ü',
      '日本',
      'Ω',
      '😀',
      'ß',
      'a b',
      '1;x',
      'q?',
      '#1',
      '[x]',
      '"',
      '<>',
      '{}',
    ),
    fc.boolean(),
    fc.constantFrom('', '1', 'x'),
  )
  .map(([text, upper, prefix]) => ({
    raw: `${prefix}${percentEncode(text, upper)}`,
    decoded: `${prefix}${text}`,
  }));

const param: fc.Arbitrary<Param> = fc.oneof({ weight: 3, arbitrary: plainParam }, encodedParam);

/** The routes of the routed apps, and what a canonical request to each one does. */
type Aim = {
  readonly handler: Handler | undefined;
  readonly method: string;
  readonly segments: readonly string[];
  /** Which of `segments` are literals (a case change is a spelling change there). */
  readonly literals: readonly number[];
  readonly action: Action | undefined;
};

const aim: fc.Arbitrary<Aim> = fc.oneof(
  param.map((id) => ({
    handler: 'pay' as const,
    method: 'POST',
    segments: ['invoices', id.raw, 'pay'],
    literals: [0, 2],
    action: { resource: `billing:invoices/${id.decoded}`, action: 'pay' },
  })),
  param.map((id) => ({
    handler: 'export' as const,
    method: 'GET',
    segments: ['export', id.raw],
    literals: [0],
    action: { resource: `billing:exports/${id.decoded}`, action: 'read' },
  })),
  param.map((op) => ({
    handler: 'admin' as const,
    method: 'POST',
    segments: ['admin', op.raw],
    literals: [0],
    action: { resource: `billing:admin/${op.decoded}`, action: 'admin' },
  })),
  fc.array(param, { minLength: 1, maxLength: 3 }).map((parts) => ({
    handler: 'files' as const,
    method: 'GET',
    segments: ['files', ...parts.map((p) => p.raw)],
    literals: [0],
    action: { resource: `billing:files/${parts.map((p) => p.decoded).join('/')}`, action: 'read' },
  })),
  param.map((id) => ({
    handler: 'cancel' as const,
    method: 'POST',
    segments: ['api', 'orders', id.raw, 'cancel'],
    literals: [0, 1, 3],
    action: { resource: `billing:orders/${id.decoded}`, action: 'cancel' },
  })),
  fc.constant({
    handler: 'public' as const,
    method: 'GET',
    segments: ['public'],
    literals: [0],
    action: undefined,
  }),
  // Near misses: no route serves them.
  fc
    .tuple(
      fc.constantFrom(['invoices'], ['invoices', 'x', 'pay', 'now'], ['api', 'orders'], ['nope']),
      fc.constantFrom('GET', 'POST'),
    )
    .map(([segments, method]) => ({
      handler: undefined,
      method,
      segments,
      literals: segments.map((_, i) => i),
      action: undefined,
    })),
);

/** Non-ASCII text as its UTF-8 bytes, one latin1 character each (what `http.request` sends). */
export function utf8Raw(text: string): string {
  return String.fromCharCode(...new TextEncoder().encode(text));
}

/** A request being bent: its segments (joined with `/`), prefix, suffix and method. */
interface Draft {
  segments: string[];
  readonly literals: readonly number[];
  method: string;
  prefix: string;
  suffix: string;
  /** Join with these separators instead of `/` (index i joins segment i and i+1). */
  separators: Map<number, string>;
  canonical: boolean;
  readonly mutations: string[];
}

type Mutation = (draft: Draft, pick: number) => void;

function at<T>(list: readonly T[], pick: number): T {
  return list[pick % list.length] as T;
}

/** Hostile segments: each one a spelling some router reads differently (or refuses). */
const HOSTILE_SEGMENTS = [
  '.',
  '..',
  '%2e',
  '%2E%2e',
  '.%2e',
  'a\\..\\1',
  '1;x=2',
  ';',
  '1%2f2',
  '1%2F..%2F2',
  '1%5c..%5c2',
  '%252e%252e',
  '%c0%ae%c0%ae',
  '1%c0%af2',
  '%ff',
  '1%2',
  '1%00',
  '%EF%BC%91',
  '%E2%85%B0',
  'e%CC%81',
  '1%E2%80%8B',
  '%E2%80%AE1',
  '%C5%BF',
  '%E2%84%AA',
  '%EF%AC%81',
  'p%61y',
  '%31',
  '%7e',
  utf8Raw('é'),
  utf8Raw('ｉ'),
  '\u00e9',
  '1|2',
  '{x}',
  '1^',
  '`',
];

const MUTATIONS: Record<string, Mutation> = {
  upperCase(d, pick) {
    const i = at(d.literals, pick);
    d.segments[i] = (d.segments[i] ?? '').toUpperCase();
    d.canonical = false;
  },
  capitalise(d, pick) {
    const i = at(d.literals, pick);
    const s = d.segments[i] ?? '';
    d.segments[i] = s.charAt(0).toUpperCase() + s.slice(1);
    d.canonical = false;
  },
  trailingSlash(d) {
    d.suffix = `/${d.suffix}`;
    d.canonical = false;
  },
  emptySegment(d, pick) {
    d.segments.splice(pick % (d.segments.length + 1), 0, '');
    d.canonical = false;
  },
  hostileSegment(d, pick) {
    d.segments.splice(pick % (d.segments.length + 1), 0, at(HOSTILE_SEGMENTS, pick >> 3));
    d.canonical = false;
  },
  replaceSegment(d, pick) {
    d.segments[pick % d.segments.length] = at(HOSTILE_SEGMENTS, pick >> 3);
    d.canonical = false;
  },
  dotDotDetour(d, pick) {
    const i = pick % (d.segments.length + 1);
    d.segments.splice(
      i,
      0,
      at(['x', 'admin', 'invoices', 'public'], pick >> 2),
      at(['..', '%2e%2e', '.%2E'], pick >> 4),
    );
    d.canonical = false;
  },
  separator(d, pick) {
    if (d.segments.length < 2) return;
    d.separators.set(
      pick % (d.segments.length - 1),
      at(['\\', '%2f', '%2F', '%5c', '//', '/./', ';/'], pick >> 3),
    );
    d.canonical = false;
  },
  matrix(d, pick) {
    const i = pick % d.segments.length;
    d.segments[i] = `${d.segments[i] ?? ''}${at([';x=1', ';', ';jsessionid=2'], pick >> 3)}`;
    d.canonical = false;
  },
  encodeChar(d, pick) {
    const i = pick % d.segments.length;
    const s = d.segments[i] ?? '';
    const plain = [...s].findIndex((c) => /[A-Za-z0-9]/.test(c));
    if (plain === -1) return;
    d.segments[i] = `${s.slice(0, plain)}%${s.charCodeAt(plain).toString(16)}${s.slice(plain + 1)}`;
    d.canonical = false;
  },
  query(d, pick) {
    // A plain query does not change routing: the request stays canonical.
    d.suffix = `${d.suffix}${at(['?x=1', '?', '?a=b&c=d', '?next=/admin/purge'], pick)}`;
  },
  hostileQuery(d, pick) {
    d.suffix = `${d.suffix}${at(['?a=%2e%2e/..', `?q=${utf8Raw('é')}`, '?#x', '?a=\\'], pick)}`;
    d.canonical = false;
  },
  fragment(d, pick) {
    d.suffix = `${d.suffix}${at(['#x', '#/invoices/1/pay'], pick)}`;
    d.canonical = false;
  },
  absolute(d, pick) {
    d.prefix = at(
      [
        'http://payments.test',
        'http://a;b',
        "http://a'b",
        'HTTP://h',
        'http://h:80',
        'https://x',
        'http://[::1]',
      ],
      pick,
    );
    d.canonical = false;
  },
  method(d, pick) {
    d.method = at(['HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'GET', 'POST'], pick);
    // HEAD on a GET route is served by the GET handler, as the same action.
    if (!(d.method === 'HEAD' && d.segments.length > 0)) d.canonical = false;
  },
};

const mutation = fc.tuple(fc.constantFrom(...Object.keys(MUTATIONS)), fc.nat(1 << 16));

/**
 * A generated request: mostly canonical ones (so the genuine paths are exercised) and ones bent
 * by one to three mutations.
 */
export const generatedRequest: fc.Arbitrary<GeneratedRequest> = fc
  .tuple(
    aim,
    fc.oneof(
      { weight: 2, arbitrary: fc.constant([]) },
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
    ),
  )
  .map(([route, mutations]) => {
    const draft: Draft = {
      segments: [...route.segments],
      literals: route.literals,
      method: route.method,
      prefix: '',
      suffix: '',
      separators: new Map(),
      canonical: true,
      mutations: [],
    };
    for (const [name, pick] of mutations) {
      MUTATIONS[name]?.(draft, pick);
      draft.mutations.push(`${name}(${pick})`);
    }
    const headOnGet = draft.method === 'HEAD' && route.method === 'GET';
    const path = draft.segments
      .map((s, i) => (i === 0 ? s : `${draft.separators.get(i - 1) ?? '/'}${s}`))
      .join('');
    const canonical = draft.canonical && (draft.method === route.method || headOnGet);
    return {
      method: draft.method,
      target: `${draft.prefix}/${path}${draft.suffix}`,
      handler: route.handler,
      action: route.action,
      canonical,
      mutations: draft.mutations,
    };
  });

/** Resources a generated mandate may name, sampled from the same ids the requests use. */
export const generatedCapabilities = fc.array(
  fc.oneof(
    fc.tuple(param, fc.constantFrom('pay', 'read')).map(([id, action]) => ({
      resource: `billing:invoices/${id.decoded}`,
      actions: [action],
    })),
    fc.tuple(param, fc.constantFrom('read', 'pay')).map(([id, action]) => ({
      resource: `billing:exports/${id.decoded}`,
      actions: [action],
    })),
    param.map((op) => ({ resource: `billing:admin/${op.decoded}`, actions: ['admin'] })),
    fc
      .constantFrom('billing:files/**', 'billing:files/*', 'billing:files/a/**', 'billing:**')
      .map((resource) => ({ resource, actions: ['read'] })),
    fc
      .constantFrom('billing:invoices/*', 'billing:orders/*', 'billing:admin/*')
      .map((resource) => ({
        resource,
        actions: ['pay', 'cancel', 'admin', 'read'],
      })),
    param.map((id) => ({ resource: `billing:orders/${id.decoded}`, actions: ['cancel'] })),
  ),
  { minLength: 1, maxLength: 4 },
);
