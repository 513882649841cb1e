/**
 * AAT claims (draft-niyikiza-oauth-attenuating-agent-tokens-02) and their mapping onto
 * Mandate's model: an `authorization_details` entry of type `attenuating_agent_token` whose
 * `tools` map becomes one capability per tool — resource `tool:<name>` (the name
 * percent-encoded into one literal segment), action `call`, constraints = the tool's
 * argument constraint map (closed-world exactly as the draft's step 6b).
 */
import { MandateError } from '../../core/errors.js';
import { isInadmissibleNumber } from '../../core/numbers.js';
import type { Limits } from '../../core/limits.js';
import type { Action, Capability, Constraint, Json } from '../../core/types.js';
import { deepFreeze } from '../../core/freeze.js';

/** The RFC 9396 `authorization_details` type of an AAT capability entry. */
export const AAT_DETAIL_TYPE = 'attenuating_agent_token';

/** The resource scheme AAT tools map to: `tool:<percent-encoded name>`. */
export const TOOL_SCHEME = 'tool';

/** The action every AAT tool capability grants. */
export const TOOL_ACTION = 'call';

/** The draft's core constraint types (section 3.4). Mandate's `glob` is not one of them. */
export const AAT_CORE_TYPES = deepFreeze([
  'exact',
  'one_of',
  'not_one_of',
  'range',
  'contains',
  'subset',
  'wildcard',
  'all',
  'any',
] as const);

/** One of the draft's core constraint types. */
export type AatCoreType = (typeof AAT_CORE_TYPES)[number];

/** {@link AAT_CORE_TYPES} as a set, for membership tests. */
export const AAT_CONSTRAINT_TYPES: ReadonlySet<string> = new Set(AAT_CORE_TYPES);

/** The draft's recommended MAX_TOKEN_LIFETIME (90 days), applied when none is configured. */
export const AAT_DEFAULT_MAX_TOKEN_LIFETIME = 90 * 24 * 3600;

/**
 * The resource a tool maps to. Every character outside `A-Z a-z 0-9 - _ . ~` (and a name
 * that is only dots) is percent-encoded as UTF-8, so the name is one literal segment: it
 * can never be a wildcard (`*`, `**`), a dot segment or a path, and the mapping is
 * injective (tool names are compared as exact strings, draft section 3.3.1).
 *
 * @throws TypeError for a name that is not a non-empty well-formed string.
 */
export function toolResource(tool: string): string {
  if (typeof tool !== 'string' || tool.length === 0) {
    throw new TypeError('a tool name must be a non-empty string');
  }
  let encoded: string;
  try {
    encoded = encodeURIComponent(tool);
  } catch {
    throw new TypeError('a tool name must be well-formed Unicode');
  }
  encoded = encoded.replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  if (/^\.+$/.test(encoded)) encoded = encoded.replace(/\./g, '%2E');
  return `${TOOL_SCHEME}:${encoded}`;
}

/** The tool a resource names, when it is exactly `toolResource(name)` for some name. */
export function toolFromResource(resource: string): string | undefined {
  if (!resource.startsWith(`${TOOL_SCHEME}:`)) return undefined;
  let tool: string;
  try {
    tool = decodeURIComponent(resource.slice(TOOL_SCHEME.length + 1));
  } catch {
    return undefined;
  }
  if (tool.length === 0) return undefined;
  try {
    // Only the canonical spelling names a tool (`tool:read%5Ffile` does not).
    return toolResource(tool) === resource ? tool : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The action an AAT tool call asks for: `{ resource: toolResource(tool), action: 'call',
 * args }`. `verify` derives it from a `{ tool, args }` request when no action is given.
 */
export function toolAction(tool: string, args: Readonly<Record<string, Json>> = {}): Action {
  return { resource: toolResource(tool), action: TOOL_ACTION, args };
}

/** A constraint-tree problem, for the caller to report with its step (3n / 4o). */
export interface ConstraintProblem {
  readonly path: string;
  readonly reason: string;
  readonly limit?: boolean;
}

/**
 * Check a raw argument constraint map against the draft (steps 3n / 4o, section 3.4):
 * every node an object with a core `constraint_type`, no empty `all` / `any`, a non-empty
 * `one_of`, a scalar `exact` value, nesting within `limits.maxConstraintDepth`. The map
 * itself must already be an object (steps 3m / 4n). Members, `optional`, `"*"`, range
 * bounds and numbers are checked afterwards by the algebra's strict parse, which the
 * caller reports at the same step.
 */
export function findConstraintProblem(
  map: Readonly<Record<string, unknown>>,
  path: string,
  limits: Limits,
): ConstraintProblem | undefined {
  const walk = (node: unknown, at: string, depth: number): ConstraintProblem | undefined => {
    if (depth > limits.maxConstraintDepth) {
      return {
        path: at,
        reason: `constraint nested deeper than ${limits.maxConstraintDepth}`,
        limit: true,
      };
    }
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      return { path: at, reason: 'a constraint must be an object' };
    }
    const c = node as Record<string, unknown>;
    const type = c['constraint_type'];
    if (typeof type !== 'string' || !AAT_CONSTRAINT_TYPES.has(type)) {
      return { path: `${at}.constraint_type`, reason: 'unknown constraint_type' };
    }
    if (type === 'one_of' && Array.isArray(c['values']) && c['values'].length === 0) {
      return { path: `${at}.values`, reason: 'one_of needs a non-empty values array' };
    }
    if (type === 'exact') {
      const value = c['value'];
      if (isInadmissibleNumber(value)) {
        return {
          path: `${at}.value`,
          reason: `the number ${value.literal} does not survive RFC 8785 canonicalisation`,
        };
      }
      if (value !== null && typeof value === 'object') {
        return {
          path: `${at}.value`,
          reason: 'exact value must be a string, number, boolean or null',
        };
      }
    }
    if (type === 'all' || type === 'any') {
      const clauses = c['constraints'];
      if (!Array.isArray(clauses) || clauses.length === 0) {
        return { path: `${at}.constraints`, reason: `${type} needs a non-empty constraints array` };
      }
      for (const [i, clause] of clauses.entries()) {
        const problem = walk(clause, `${at}.constraints.${i}`, depth + 1);
        if (problem !== undefined) return problem;
      }
    }
    return undefined;
  };
  for (const [arg, constraint] of Object.entries(map)) {
    const problem = walk(constraint, `${path}.${arg}`, 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Defines (never assigns) a member, so a name like `__proto__` stays a plain data member. */
function defineMember<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Why AAT cannot carry a constraint Mandate can (undefined when it can). */
function aatInexpressible(c: Constraint): string | undefined {
  if (!AAT_CONSTRAINT_TYPES.has(c.constraint_type)) {
    return "AAT has only the draft's core constraint types (no glob)";
  }
  switch (c.constraint_type) {
    case 'one_of':
      return c.values.length === 0 ? 'AAT has no empty one_of (section 3.4)' : undefined;
    case 'exact':
      return c.value !== null && typeof c.value === 'object'
        ? 'an AAT exact value is a string, number, boolean or null (section 3.4)'
        : undefined;
    case 'all':
    case 'any':
      for (const clause of c.constraints) {
        const why = aatInexpressible(clause);
        if (why !== undefined) return why;
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * The `tools` map of normalised capabilities, for minting. Each capability must be a tool
 * capability (`tool:<name>`, actions exactly `['call']`) with constraints AAT can carry
 * (core types, well-formed as section 3.4 says); each tool at most once. Optional
 * arguments are written `optional: true` on their entry, and `"*"` stays as it is.
 * Anything else throws TypeError: AAT cannot express it.
 */
export function capabilitiesToTools(
  capabilities: readonly Capability[],
): Record<string, Record<string, Constraint & { readonly optional?: true }>> {
  const tools: Record<string, Record<string, Constraint & { readonly optional?: true }>> = {};
  for (const capability of capabilities) {
    const tool = toolFromResource(capability.resource);
    if (tool === undefined) {
      throw new TypeError(
        `AAT expresses tool capabilities only: ${JSON.stringify(capability.resource)} is not tool:<name> (see toolResource)`,
      );
    }
    if (capability.actions.length !== 1 || capability.actions[0] !== TOOL_ACTION) {
      throw new TypeError(`AAT tool capabilities grant exactly the action '${TOOL_ACTION}'`);
    }
    if (Object.hasOwn(tools, tool)) {
      throw new TypeError(`AAT names each tool once: ${JSON.stringify(tool)} appears twice`);
    }
    const optional = new Set(capability.optional ?? []);
    const map: Record<string, Constraint & { readonly optional?: true }> = {};
    for (const [arg, constraint] of Object.entries(capability.constraints ?? {})) {
      const why = aatInexpressible(constraint);
      if (why !== undefined) throw new TypeError(`argument ${JSON.stringify(arg)}: ${why}`);
      defineMember(map, arg, optional.has(arg) ? { ...constraint, optional: true } : constraint);
    }
    defineMember(tools, tool, map);
  }
  return tools;
}

/** A coded `MANDATE_MALFORMED` naming the AAT step that rejects it. */
export function aatMalformed(
  message: string,
  hop: number,
  step: string,
  path: string,
  code: 'MANDATE_MALFORMED' | 'MANDATE_LIMIT_EXCEEDED' = 'MANDATE_MALFORMED',
): never {
  throw new MandateError(code, message, { check: 'limits', hop, detail: { path, step } });
}
