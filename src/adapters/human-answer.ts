/**
 * A human's answer as it comes back through a framework's resume channel (a LangGraph resume
 * value, an application's approval UI): read fail-closed before anything is checked or sent.
 */
import { MandateError } from '../core/errors.js';
import type { HumanAnswer } from './human-approval.js';
import type { ApprovalNeeded } from '../verify/approval-needed.js';

/**
 * `value` as a `HumanAnswer`: a list (of approvals; empty is a refusal) or `{ refused: true }`.
 * The list's items are checked later, each as an approval (`assertApprovalsCover`, then the
 * verifier).
 *
 * @throws MandateError `MANDATE_APPROVAL_INVALID` (check `authorize`, at the requirement's
 * block) for anything else: an answer that is not one never approves.
 */
export function readHumanAnswer(value: unknown, needed: ApprovalNeeded): HumanAnswer {
  if (Array.isArray(value)) return value as readonly string[];
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as { refused?: unknown }).refused === true
  ) {
    const reason = (value as { reason?: unknown }).reason;
    return typeof reason === 'string' ? { refused: true, reason } : { refused: true };
  }
  throw new MandateError(
    'MANDATE_APPROVAL_INVALID',
    'the answer is neither a list of signed approvals nor { refused: true }',
    { check: 'authorize', hop: needed.hop },
  );
}
