/**
 * The Biscuit mandate the wasm lifecycle tests verify under load: a root granting `pay` on
 * invoices (amount ≤ 500) to a first agent, and the request they verify it for.
 */
import { mint, type Action, type KeyPair, type Mandate } from '../../src/index.js';

/** The request every lifecycle test verifies. */
export const PAY: Action = { resource: 'billing:invoices/7', action: 'pay', args: { amount: 10 } };

/** Who issues and who verifies. */
export interface PayParties {
  readonly anchor: KeyPair;
  readonly issuer: string;
  readonly audience: string;
  readonly now: number;
}

/** A never-seen Biscuit root for `subject`, held by `holder`. */
export function mintPayRoot(
  parties: PayParties,
  holder: KeyPair,
  subject: string,
): Promise<Mandate> {
  return mint({
    issuer: parties.anchor,
    issuerId: parties.issuer,
    subject,
    holder: holder.publicJwk,
    capabilities: [
      { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 500 } } },
    ],
    audience: parties.audience,
    expiresIn: 3600,
    now: parties.now,
    format: 'biscuit',
  });
}
