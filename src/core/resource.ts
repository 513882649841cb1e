/**
 * Resource-pattern matching, inclusion and intersection.
 *
 * A pattern is a scheme plus a sequence of segments, each a literal or `*` (exactly one
 * segment), optionally ending in `**` (zero or more segments). Because `**` can only be
 * last, every pattern denotes a "fixed prefix of length n, then either nothing or
 * anything" language; inclusion and intersection of such languages are decided exactly by
 * segment-wise comparison, and the intersection is again such a pattern.
 */
import { parseConcreteResource, parseResourcePattern, type ParsedResource } from './names.js';

/**
 * A concrete resource always has at least one segment, so `s:**` matches exactly what
 * `s:*\/**` matches. Rewriting to the latter makes every `**` pattern carry at least one
 * fixed segment, which is what keeps the segment-wise rules below exact.
 */
function canonical(p: ParsedResource): ParsedResource {
  return p.rest && p.segments.length === 0 ? { scheme: p.scheme, segments: ['*'], rest: true } : p;
}

function segmentMatches(pattern: string, concrete: string): boolean {
  return pattern === '*' || pattern === concrete;
}

/** Every segment the child position can take is accepted by the parent position. */
function segmentIncluded(child: string, parent: string): boolean {
  // Literal segments are never `*` (a concrete segment may not contain it), so a child `*`
  // is only covered by a parent `*`.
  return parent === '*' || child === parent;
}

function format(p: ParsedResource): string {
  // `s:*/**` and `s:**` are the same set (see canonical); print the shorter.
  const fixed = p.rest && p.segments.length === 1 && p.segments[0] === '*' ? [] : p.segments;
  const segs = p.rest ? [...fixed, '**'] : fixed;
  return `${p.scheme}:${segs.join('/')}`;
}

/**
 * True when the concrete resource is matched by the pattern.
 *
 * @throws MandateError `MANDATE_MALFORMED` when either argument is not a valid pattern /
 *   concrete resource.
 */
export function matchesResource(pattern: string, concrete: string): boolean {
  const p = parseResourcePattern(pattern, 'pattern');
  const c = parseConcreteResource(concrete, 'resource');
  return matchesParsed(p, c);
}

/** {@link matchesResource} on already-parsed values. */
export function matchesParsed(p: ParsedResource, c: ParsedResource): boolean {
  if (p.scheme !== c.scheme) return false;
  if (p.rest ? c.segments.length < p.segments.length : c.segments.length !== p.segments.length) {
    return false;
  }
  return p.segments.every((seg, i) => segmentMatches(seg, c.segments[i] ?? ''));
}

/**
 * True when every concrete resource `child` matches is also matched by `parent` (exact).
 *
 * @throws MandateError `MANDATE_MALFORMED` for an invalid pattern.
 */
export function isPatternSubset(child: string, parent: string): boolean {
  return isParsedSubset(
    parseResourcePattern(child, 'child'),
    parseResourcePattern(parent, 'parent'),
  );
}

/** {@link isPatternSubset} on already-parsed patterns. */
export function isParsedSubset(childIn: ParsedResource, parentIn: ParsedResource): boolean {
  const child = canonical(childIn);
  const parent = canonical(parentIn);
  if (child.scheme !== parent.scheme) return false;
  const n = child.segments.length;
  const m = parent.segments.length;
  if (parent.rest) {
    // The child must pin down at least the parent's fixed prefix (its `**` may cover the
    // remainder); a shorter child would match resources shorter than the parent allows.
    if (n < m) return false;
  } else if (child.rest || n !== m) {
    // A child `**` matches arbitrarily long resources that a fixed-length parent rejects.
    return false;
  }
  return parent.segments.every((seg, i) => segmentIncluded(child.segments[i] ?? '', seg));
}

function meetSegment(a: string, b: string): string | undefined {
  if (a === '*') return b;
  if (b === '*' || a === b) return a;
  return undefined;
}

/**
 * The pattern matching exactly the resources both patterns match, or `undefined` when no
 * resource matches both.
 *
 * @throws MandateError `MANDATE_MALFORMED` for an invalid pattern.
 */
export function intersectPatterns(a: string, b: string): string | undefined {
  const r = intersectParsed(parseResourcePattern(a, 'a'), parseResourcePattern(b, 'b'));
  return r === undefined ? undefined : format(r);
}

/** {@link intersectPatterns} on already-parsed patterns. */
export function intersectParsed(
  aIn: ParsedResource,
  bIn: ParsedResource,
): ParsedResource | undefined {
  const a = canonical(aIn);
  const b = canonical(bIn);
  if (a.scheme !== b.scheme) return undefined;
  const n = a.segments.length;
  const m = b.segments.length;
  // A fixed-length side pins the length; two `**` sides leave it open past the longer prefix.
  if (!a.rest && !b.rest && n !== m) return undefined;
  if (!a.rest && b.rest && n < m) return undefined;
  if (a.rest && !b.rest && m < n) return undefined;
  const len = Math.max(n, m);
  const segments: string[] = [];
  for (let i = 0; i < len; i++) {
    // Past the end of a `**` side that side accepts any segment.
    const sa = a.segments[i] ?? '*';
    const sb = b.segments[i] ?? '*';
    const s = meetSegment(sa, sb);
    if (s === undefined) return undefined;
    segments.push(s);
  }
  return { scheme: a.scheme, segments, rest: a.rest && b.rest };
}

export { format as formatResource };
