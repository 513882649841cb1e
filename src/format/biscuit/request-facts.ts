/**
 * What a standard Biscuit authorizer must state about a request for the checks of Mandate's
 * blocks to decide it (docs/format.md, "Biscuit encoding": request facts). Mandate's own verifier
 * never runs Datalog; this is for other Biscuit verifiers (and for the tests and benchmark that
 * check a standard authorizer reaches Mandate's decision).
 *
 * @module
 */
import { parseConcreteResource } from '../../core/names.js';
import type { BiscuitRunLimits, BiscuitTerm } from './wasm.js';

/** Run limits for a standard authorizer over a Mandate token (a few checks per block, no rules). */
export const DATALOG_LIMITS: BiscuitRunLimits = {
  max_facts: 1000,
  max_iterations: 100,
  max_time_micro: 250_000,
};

/** A request as a Biscuit authorizer states it. */
export interface AuthorizerRequest {
  readonly resource: string;
  readonly operation: string;
  /** The verifying service's identity (matched against the blocks' audience). */
  readonly service: string;
  /** Seconds since the epoch; several readings carry a clock tolerance (every check must hold). */
  readonly times: readonly number[];
}

function isoDate(seconds: number): { date: string } {
  const clamped = Math.min(Math.max(0, Math.trunc(seconds)), 253_402_300_799);
  return { date: new Date(clamped * 1000).toISOString().replace('.000Z', 'Z') };
}

/**
 * Authorizer code stating `request` (parameters only, never pasted text) and an allow-all policy:
 * the blocks' checks decide. `maxSegments` bounds the `resource_segment` facts (the longest
 * pattern prefix any block can look at).
 */
export function requestCode(
  request: AuthorizerRequest,
  maxSegments: number,
): { source: string; parameters: Record<string, BiscuitTerm> } {
  const parsed = parseConcreteResource(request.resource, 'action.resource');
  const parameters: Record<string, BiscuitTerm> = {
    resource: request.resource,
    scheme: parsed.scheme,
    operation: request.operation,
    service: request.service,
  };
  const lines = [
    'resource({resource});',
    'resource_scheme({scheme});',
    `resource_length(${parsed.segments.length});`,
    'operation({operation});',
    'service({service});',
  ];
  request.times.forEach((t, i) => {
    parameters[`t${i}`] = isoDate(t);
    lines.push(`time({t${i}});`);
  });
  parsed.segments.slice(0, maxSegments).forEach((seg, i) => {
    parameters[`g${i}`] = seg;
    lines.push(`resource_segment(${i}, {g${i}});`);
  });
  lines.push('allow if true;');
  return { source: lines.join('\n'), parameters };
}
