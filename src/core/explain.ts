/**
 * Plain-words explanations of why an argument was refused: the value that was sent, the
 * limit it broke, and, for the closed-world rule, what to change. Derived from the normalised
 * constraint; the decision itself is made elsewhere (`checkNormalized`).
 */
import type { Widening } from './capability.js';
import type { Constraint, Json } from './types.js';

/** Longest value (as JSON text) echoed in a reason. */
const SHOWN = 60;

/** A JSON value as a reason shows it: JSON text, cut to a bounded length. */
export function shownValue(value: Json): string {
  const text = JSON.stringify(value);
  return text.length <= SHOWN ? text : `${text.slice(0, SHOWN - 1)}…`;
}

function list(values: readonly Json[]): string {
  const shown = values.slice(0, 5).map(shownValue).join(', ');
  return values.length > 5 ? `${shown}, … (${values.length} values)` : shown;
}

/** What a constraint allows, in words (`at most 200`, `one of "a", "b"`). */
export function describeConstraint(c: Constraint): string {
  switch (c.constraint_type) {
    case 'exact':
      return `exactly ${shownValue(c.value)}`;
    case 'one_of':
      return `one of ${list(c.values)}`;
    case 'not_one_of':
      return `anything but ${list(c.excluded)}`;
    case 'range': {
      const low =
        c.min === undefined ? '' : `${c.min_inclusive === false ? 'above' : 'at least'} ${c.min}`;
      const high =
        c.max === undefined ? '' : `${c.max_inclusive === false ? 'below' : 'at most'} ${c.max}`;
      const both = [low, high].filter((s) => s !== '').join(' and ');
      return `a number${both === '' ? '' : ` ${both}`}`;
    }
    case 'contains':
      return `a list containing ${list(c.required)}`;
    case 'subset':
      return `a list drawn from ${list(c.allowed)}`;
    case 'wildcard':
      return 'any value';
    case 'all':
      return c.constraints.map(describeConstraint).join(', and ');
    case 'any':
      return `either ${c.constraints.map(describeConstraint).join(', or ')}`;
    case 'glob':
      return `a string matching ${JSON.stringify(c.pattern)}`;
  }
}

/**
 * Why `value` fails `c`, naming the argument: `argument 'amount' is 300, above the limit 200`
 * for a range, `argument 'x' is "b"; expected one of "a"` otherwise.
 */
export function explainViolation(arg: string, c: Constraint, value: Json): string {
  const head = `argument '${arg}' is ${shownValue(value)}`;
  if (c.constraint_type === 'range' && typeof value === 'number') {
    if (c.max !== undefined && (value > c.max || (value === c.max && c.max_inclusive === false))) {
      return `${head}, above the limit ${c.max}${c.max_inclusive === false ? ' (exclusive)' : ''}`;
    }
    if (c.min !== undefined) {
      return `${head}, below the minimum ${c.min}${c.min_inclusive === false ? ' (exclusive)' : ''}`;
    }
  }
  return `${head}; expected ${describeConstraint(c)}`;
}

/**
 * The closed-world rule, said where it bites: a capability that constrains any argument
 * names every argument a call may carry, for every one of its actions.
 */
export function explainMissing(arg: string, actions: readonly string[]): string {
  const every =
    actions.length > 1
      ? ` (its constraints apply to every one of its actions: ${actions.join(', ')})`
      : '';
  return (
    `argument '${arg}' is required: the capability constrains it${every}; ` +
    `send '${arg}', list it in the capability's "optional", or grant actions that do not take it in a capability of their own`
  );
}

/** An argument the capability does not name (closed-world), and how to allow it. */
export function explainUnknown(arg: string, named: readonly string[]): string {
  return (
    `argument '${arg}' is not allowed: the capability constrains ${named.map((n) => `'${n}'`).join(', ')} ` +
    `and, its arguments being closed-world, refuses any other; to allow '${arg}', give it a constraint ` +
    `(e.g. {"constraint_type":"wildcard"} for any value)`
  );
}

const CLOSED_WORLD = 'arguments are closed-world';

/**
 * Why a capability set is wider than its parent's, in words that name the resource, the
 * action and, for arguments, the argument and what to change. `parent` names the parent
 * (`block 1`).
 */
export function explainWidening(w: Widening, parent: string): string {
  const what = `'${w.action}' on '${w.resource}'`;
  if (w.reason === 'resource' || w.failure === undefined) {
    return `${parent} grants no ${what}`;
  }
  const arg = `'${w.failure.arg}'`;
  switch (w.failure.reason) {
    case 'argument-added':
      return (
        `for ${what} it constrains argument ${arg}, which ${parent} does not name, so ${parent} ` +
        `refuses any call carrying it (${CLOSED_WORLD}); to pass ${arg}, ${parent}'s capability ` +
        `needs a constraint on it (e.g. {"constraint_type":"wildcard"})`
      );
    case 'argument-removed':
    case 'child-unconstrained':
      return (
        `for ${what} it leaves argument ${arg} unconstrained, which ${parent} constrains ` +
        `(${CLOSED_WORLD}); keep a constraint on ${arg} no wider than ${parent}'s`
      );
    case 'unnamed-added':
      return (
        `for ${what} it lets unnamed arguments through ("*"), which ${parent} refuses ` +
        `(${CLOSED_WORLD}); name each argument it allows`
      );
    case 'unnamed-kept':
      return `for ${what} its "*" (unnamed arguments) is wider than ${parent}'s`;
    case 'argument-made-optional':
      return `for ${what} it makes argument ${arg} optional, which ${parent} requires`;
    case 'constraint-not-narrower':
      return `for ${what} its constraint on argument ${arg} is not within ${parent}'s`;
  }
}
