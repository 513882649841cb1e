/**
 * The verifier's steps by name, and DESIGN.md section 3's order of them. A codec names the
 * order its chains are verified in (`Codec.ruleOrder`); the verifier maps names to rules.
 */
import { CHECKS, type Check } from '../core/errors.js';

/**
 * A step of the verifier's pipeline: one of DESIGN.md section 3's rules by its `check`, or
 * `'proof-signature'`, rule 8's request-independent first part, for an encoding whose rule
 * order authorizes the request before it checks the proof.
 */
export type RuleStep = Exclude<Check, 'internal'> | 'proof-signature';

/** DESIGN.md section 3's order: the nine rules, one after another, as {@link CHECKS} lists them. */
export const MANDATE_RULE_ORDER: readonly RuleStep[] = CHECKS;
