/**
 * The campaign's oracle: what a verifier's answer to a mutant must be (docs/fuzzing.md, "The
 * oracle").
 *
 * 1. The verifier settles within the per-case time cap and never throws.
 * 2. A denial carries a code of `ERROR_CODES` other than `MANDATE_INTERNAL` (an unexpected
 *    failure inside a rule is a crash that failed closed, still a finding), a check of
 *    `CHECKS` and a whole, non-negative hop.
 * 3. A mutant whose meaning is `changed` is denied.
 * 4. A mutant that `may-preserve` its meaning may be allowed only with exactly the decision a
 *    genuine chain held by the same presenter gets for the same request: the same subject,
 *    chain of principals, holder, capabilities, block ids and format. Anything else allowed was
 *    wrongly accepted: the presenter gained authority, or identity, no genuine chain gives it.
 *
 * @module
 */
import { canonicalJson } from '../../core/encoding.js';
import { CHECKS, ERROR_CODES } from '../../core/errors.js';
import type { Meaning } from '../chain-mutators.js';

/** What the oracle concludes about one case. */
export type Verdict =
  | { readonly ok: true; readonly outcome: string }
  | {
      readonly ok: false;
      readonly outcome: string;
      readonly failure: 'accepted' | 'crash' | 'hang';
      readonly reason: string;
    };

/** The outcome label of an allowed decision the oracle found equivalent to a genuine one. */
export const ALLOWED_EQUIVALENT = 'ALLOWED_EQUIVALENT';

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);
const RULES: ReadonlySet<string> = new Set(CHECKS);

/** What an allowed decision authorizes: the part the oracle compares. */
export function authorityOf(decision: Readonly<Record<string, unknown>>): string {
  return canonicalJson({
    subject: decision['subject'],
    chain: decision['chain'],
    holder: decision['holder'],
    capabilities: decision['capabilities'],
    blockIds: decision['blockIds'],
    format: decision['format'],
  });
}

/**
 * Judge `decision` (whatever the verifier resolved) for a mutant of meaning `meaning`.
 * `genuine` lists the authority (see {@link authorityOf}) of every genuine chain the presenter
 * holds that is allowed this request; it is asked for only when the decision is an allow.
 */
export async function judge(
  decision: unknown,
  meaning: Meaning,
  genuine: () => Promise<ReadonlySet<string>>,
): Promise<Verdict> {
  if (typeof decision !== 'object' || decision === null) {
    return {
      ok: false,
      outcome: 'CRASH',
      failure: 'crash',
      reason: 'the decision is not an object',
    };
  }
  const d = decision as Readonly<Record<string, unknown>>;
  if (d['allowed'] === false) {
    const code = d['code'];
    const hop = d['hop'];
    if (typeof code !== 'string' || !CODES.has(code) || code === 'MANDATE_INTERNAL') {
      return {
        ok: false,
        outcome: typeof code === 'string' ? code : 'UNCODED',
        failure: 'crash',
        reason: `denied without a rule's code: ${String(code)} (${String(d['reason'])})`,
      };
    }
    if (typeof d['check'] !== 'string' || !RULES.has(d['check'])) {
      return { ok: false, outcome: code, failure: 'crash', reason: `check ${String(d['check'])}` };
    }
    if (typeof hop !== 'number' || !Number.isSafeInteger(hop) || hop < 0) {
      return { ok: false, outcome: code, failure: 'crash', reason: `hop ${String(hop)}` };
    }
    return { ok: true, outcome: code };
  }
  if (d['allowed'] !== true) {
    return { ok: false, outcome: 'CRASH', failure: 'crash', reason: 'allowed is not a boolean' };
  }
  if (meaning === 'changed') {
    return {
      ok: false,
      outcome: 'ALLOWED',
      failure: 'accepted',
      reason: 'a mutant that changes what the chain authorizes was allowed',
    };
  }
  if ((await genuine()).has(authorityOf(d))) return { ok: true, outcome: ALLOWED_EQUIVALENT };
  return {
    ok: false,
    outcome: 'ALLOWED',
    failure: 'accepted',
    reason: "allowed with a decision no genuine chain of the presenter's gets",
  };
}
