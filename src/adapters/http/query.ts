/**
 * The query a route's action reads (`RouteContext.query`), read so that no framework can hand
 * the handler another value than the one verified.
 *
 * Query parsers disagree about a name that occurs more than once: `URLSearchParams.get` and
 * Hono's `c.req.query()` take the first value, Express's `req.query` (both its `simple` and its
 * `extended` parser) gives all of them as an array, other stacks take the last or join them; and
 * Express's `extended` parser (`qs`) also reads `to[]=` and `to[0]=` as `to`. An action computed
 * from one reading while the handler uses another verifies a value the handler never runs with
 * (HTTP parameter pollution; the differential seam fuzz found it: `?to=bob&to=mallory` verified
 * `bob` while an Express handler read `['bob', 'mallory']`). They disagree too about a value
 * with an invalid escape (`?to=%E0`: Hono hands over `%E0`, the others U+FFFD; also found by
 * the fuzz). So reading such a query is refused: the request is denied as ambiguous (400,
 * `MANDATE_MALFORMED`, check `limits`, `detail.reason` `repeated-query` or
 * `bad-query-encoding`), and only when the route actually reads the query.
 */
import { MandateError } from '../../core/errors.js';
import { deepFreeze } from '../../core/freeze.js';

/** Why a query read is refused. */
type QueryAmbiguity = 'repeated-query' | 'bad-query-encoding';

/** The refusal of an ambiguous query read (the guard answers it 400, before any verification). */
export class AmbiguousQueryError extends MandateError {
  override readonly name = 'AmbiguousQueryError';
  constructor(parameter: string, reason: QueryAmbiguity) {
    super(
      'MANDATE_MALFORMED',
      reason === 'repeated-query'
        ? `ambiguous request target: query parameter "${parameter}" occurs more than once (or also as "${parameter}[...]"), and frameworks read it differently`
        : 'ambiguous request target: the query has an invalid %-escape or invalid UTF-8, which frameworks decode differently',
      { check: 'limits', hop: 0, detail: { reason, parameter } },
    );
  }
}

deepFreeze(AmbiguousQueryError);

/**
 * Whether every name and value of a raw query decodes one way: each `%` starts a two-digit
 * escape and the bytes are valid UTF-8 (`decodeURIComponent` refuses anything else; Hono keeps
 * such a value raw where `URLSearchParams` and Express put U+FFFD).
 */
function decodesOneWay(search: string): boolean {
  for (const part of search.replace(/^\?/, '').split(/[&=]/)) {
    try {
      decodeURIComponent(part);
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * `URLSearchParams` that refuses (throws `AmbiguousQueryError`) to read a name that some
 * framework reads differently: `get` a name that occurs more than once (first, last or all?),
 * `get`, `getAll` or `has` a name that also occurs with a `[` suffix (`qs` brackets), and any
 * read at all of a query with an invalid `%`-escape or invalid UTF-8.
 * `getAll` of a plainly repeated name is every reader's array. Iterating yields every pair as
 * sent.
 */
class RouteQuery extends URLSearchParams {
  readonly #oneWay: boolean;

  constructor(search: string) {
    super(search);
    this.#oneWay = decodesOneWay(search);
  }

  #check(name: string, single: boolean): void {
    if (!this.#oneWay) throw new AmbiguousQueryError(name, 'bad-query-encoding');
    let count = 0;
    const bracket = `${name}[`;
    for (const key of super.keys()) {
      if (key === name) count++;
      if ((single && count > 1) || key.startsWith(bracket))
        throw new AmbiguousQueryError(name, 'repeated-query');
    }
  }

  override get(name: string): string | null {
    this.#check(name, true);
    return super.get(name);
  }

  override getAll(name: string): string[] {
    this.#check(name, false);
    return super.getAll(name);
  }

  override has(name: string, value?: string): boolean {
    this.#check(name, false);
    return value === undefined ? super.has(name) : super.has(name, value);
  }
}

/** The query of a request target (`?a=1&b=2`, or empty) as a route's action reads it. */
export function routeQuery(search: string): URLSearchParams {
  return new RouteQuery(search);
}
