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
 * `bob` while an Express handler read `['bob', 'mallory']`). So reading such a name is refused:
 * the request is denied as ambiguous (400, `MANDATE_MALFORMED`, check `limits`, `detail.reason`
 * `repeated-query`), and only when the route actually reads that name.
 */
import { MandateError } from '../../core/errors.js';

/** The refusal of an ambiguous query name (the guard answers it 400, before any verification). */
export class AmbiguousQueryError extends MandateError {
  override readonly name = 'AmbiguousQueryError';
  constructor(parameter: string) {
    super(
      'MANDATE_MALFORMED',
      `ambiguous request target: query parameter "${parameter}" occurs more than once (or also as "${parameter}[...]"), and frameworks read it differently`,
      { check: 'limits', hop: 0, detail: { reason: 'repeated-query', parameter } },
    );
  }
}

/**
 * `URLSearchParams` that refuses (throws `AmbiguousQueryError`) to read a name that some
 * framework reads differently: `get` a name that occurs more than once (first, last or all?),
 * and `get`, `getAll` or `has` a name that also occurs with a `[` suffix (`qs` brackets).
 * `getAll` of a plainly repeated name is every reader's array. Iterating yields every pair as
 * sent.
 */
class RouteQuery extends URLSearchParams {
  #check(name: string, single: boolean): void {
    let count = 0;
    const bracket = `${name}[`;
    for (const key of super.keys()) {
      if (key === name) count++;
      if ((single && count > 1) || key.startsWith(bracket)) throw new AmbiguousQueryError(name);
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
