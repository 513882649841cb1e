/**
 * The request's bounds: its strings, its arguments' size and their count of values are within
 * `limits` before anything reads the arguments member by member. The verifier checks them
 * right after the proof's signature (rule 8, so that a garbage proof costs no request-sized
 * work and a valid one no hash over more than the limits admit), and the authorization rule
 * first (without a proof, or in an order that authorizes before the proof). Only size is
 * judged here; the request's shape is checked right after (a malformed action keeps its own
 * denial).
 */
import { MandateError } from './errors.js';
import { limitExceeded, malformed } from './failure.js';
import type { Limits } from './limits.js';

function checkString(value: unknown, path: string, limits: Limits): void {
  if (typeof value === 'string' && value.length > limits.maxRequestStringLength) {
    limitExceeded(`${path}: string longer than ${limits.maxRequestStringLength}`, {
      path,
      reason: 'request-string-length',
      limit: limits.maxRequestStringLength,
      hop: 0,
    });
  }
}

/**
 * The size of `value` (one unit per value, plus the length of every string and member name)
 * and its count of values, throwing once the size passes `limits.maxRequestSize`, the count
 * passes `limits.maxRequestValues` or a string passes `limits.maxRequestStringLength`: the walk
 * stops there, so its cost is bounded by the limits, not by the input. Values are counted when
 * their container is reached (its length, its member names), so a container with too many is
 * refused before any of them is read. Accessors are not called (they are not JSON; the shape
 * check that follows denies them).
 */
function checkSize(value: unknown, path: string, limits: Limits): void {
  const max = limits.maxRequestSize;
  const maxValues = limits.maxRequestValues;
  let size = 0;
  // Values found so far (the root, then every container's members and elements).
  let values = 1;
  const grow = (units: number): void => {
    size += units;
    if (size > max)
      limitExceeded(`${path}: arguments larger than ${max}`, {
        path,
        reason: 'request-size',
        limit: max,
        hop: 0,
      });
  };
  const count = (found: number): void => {
    values += found;
    if (values > maxValues)
      limitExceeded(`${path}: more than ${maxValues} values`, {
        path,
        reason: 'request-values',
        limit: maxValues,
        hop: 0,
      });
  };
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    grow(1);
    if (typeof v === 'string') {
      checkString(v, path, limits);
      grow(v.length);
    }
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      // Each element is a value and costs at least one unit: a huge array is refused unread.
      count(v.length);
      if (size + v.length > max) grow(v.length);
      for (let i = 0; i < v.length; i++) stack.push(member(v, String(i)));
      continue;
    }
    const keys = Object.keys(v);
    count(keys.length);
    for (const key of keys) {
      checkString(key, path, limits);
      grow(key.length);
      stack.push(member(v, key));
    }
  }
}

/**
 * Checks one argument value (tool arguments as a framework handed them) against the request
 * limits, as {@link assertRequestWithin} checks a verification's: `MANDATE_LIMIT_EXCEEDED`
 * (check `limits`, hop 0, `detail.reason` naming the bound) past them, `MANDATE_MALFORMED`
 * when the value cannot be read. The walk stops at the limits.
 */
export function assertArgsWithin(args: unknown, path: string, limits: Limits): void {
  try {
    checkSize(args, path, limits);
  } catch (error) {
    if (error instanceof MandateError) throw error;
    malformed(`${path} could not be read`, { path, reason: 'unreadable', hop: 0 });
  }
}

function member(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const d = Object.getOwnPropertyDescriptor(value, key);
  return d !== undefined && 'value' in d ? d.value : undefined;
}

/**
 * Checks the sizes of a verification's request: the action's resource, name and arguments,
 * and the proven request's method, URL, tool and arguments. Denies
 * `MANDATE_LIMIT_EXCEEDED` (check `limits`, hop 0, `detail.reason` `request-string-length`,
 * `request-size` or `request-values`, `detail.limit` its value) past
 * `limits.maxRequestStringLength`, `limits.maxRequestSize` or `limits.maxRequestValues`;
 * `MANDATE_MALFORMED` when the request cannot be read at all (a throwing proxy).
 */
export function assertRequestWithin(action: unknown, request: unknown, limits: Limits): void {
  try {
    checkString(member(action, 'resource'), 'action.resource', limits);
    checkString(member(action, 'action'), 'action.action', limits);
    checkSize(member(action, 'args'), 'action.args', limits);
    for (const key of ['method', 'url', 'tool']) {
      checkString(member(request, key), `request.${key}`, limits);
    }
    const args = member(request, 'args');
    // The same object as the action's arguments is measured once.
    if (args !== member(action, 'args')) checkSize(args, 'request.args', limits);
  } catch (error) {
    if (error instanceof MandateError) throw error;
    malformed('the request could not be read', { path: 'request', reason: 'unreadable', hop: 0 });
  }
}
