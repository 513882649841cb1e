/**
 * Readable text for what a token says: constraints as `amount ≤ 200` or `to ∈ {a, b}` rather
 * than wire JSON, and parties by a short label rather than an 80-character thumbprint URN.
 * Pure functions; the page shows the text as text.
 *
 * @module
 */
import type { Capability, Constraint, Json } from '../../core/types.js';
import { THUMBPRINT_URI_PREFIX } from '../../identity/thumbprint.js';

/** Most characters of one rendered value before it is cut with an ellipsis. */
const MAX_VALUE_CHARS = 60;

/** One JSON value, short: strings bare, everything else as JSON, long ones cut. */
function value(v: Json): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

const set = (values: readonly Json[]): string => `{${values.map(value).join(', ')}}`;

/** `arg` under `c`, as a reader would write it: `amount ≤ 200`, `to ∈ {a, b}`, `path matches a/**`. */
export function describeConstraint(arg: string, c: Constraint): string {
  switch (c.constraint_type) {
    case 'exact':
      return `${arg} = ${value(c.value)}`;
    case 'one_of':
      return c.values.length === 0 ? `${arg}: nothing allowed` : `${arg} ∈ ${set(c.values)}`;
    case 'not_one_of':
      return `${arg} ∉ ${set(c.excluded)}`;
    case 'range': {
      const low =
        c.min === undefined ? undefined : `${c.min} ${c.min_inclusive === false ? '<' : '≤'} `;
      const high =
        c.max === undefined ? undefined : ` ${c.max_inclusive === false ? '<' : '≤'} ${c.max}`;
      return low === undefined && high === undefined
        ? `${arg} is any number`
        : `${low ?? ''}${arg}${high ?? ''}`;
    }
    case 'contains':
      return `${arg} contains ${set(c.required)}`;
    case 'subset':
      return `${arg} ⊆ ${set(c.allowed)}`;
    case 'wildcard':
      return `${arg}: any value`;
    case 'glob':
      return `${arg} matches ${c.pattern}`;
    case 'all':
      return c.constraints.map((inner) => describeConstraint(arg, inner)).join(' and ');
    case 'any':
      return `(${c.constraints.map((inner) => describeConstraint(arg, inner)).join(' or ')})`;
  }
}

/** A capability in one line: `pay on billing:invoices/** where amount ≤ 200`. */
export function describeCapability(c: Capability): string {
  let text = `${c.actions.join(', ')} on ${c.resource}`;
  const constraints = Object.entries(c.constraints ?? {});
  if (constraints.length > 0) {
    // The reserved "*" key (AAT section 3.3) lets through every argument the map does not name.
    const named = constraints.map(([arg, k]) =>
      arg === '*' ? 'any other argument' : describeConstraint(arg, k),
    );
    text += ` where ${named.join(', ')}`;
  }
  if (c.optional !== undefined && c.optional.length > 0) {
    text += ` (optional: ${c.optional.join(', ')})`;
  }
  return text;
}

/**
 * A short label for a party id: a key thumbprint URN becomes `key …3mIq` (its last four
 * characters, enough to tell a chain's holders apart); any other id (an anchor's URL, a DID)
 * is its own label.
 */
export function partyLabel(id: string): string {
  if (id.startsWith(THUMBPRINT_URI_PREFIX)) return `key …${id.slice(-4)}`;
  return id;
}
