/**
 * Where each RFC 8725 attack must die, per target (test/vectors/rfc8725.json): the exact
 * `MANDATE_*` code, the check that denies it and the hop. Written by hand from the rules
 * (DESIGN.md §3, docs/security.md), never read back from the verifier: the suite fails when
 * the library's answer moves.
 */

/** A vector's expected denial. `hop` is absent where the checker reports none (Agent Cards). */
export interface Expected {
  readonly code: string;
  readonly check: string;
  readonly hop?: number;
}

const malformed = (check: string, hop?: number): Expected => ({
  code: 'MANDATE_MALFORMED',
  check,
  ...(hop === undefined ? {} : { hop }),
});

/** Per target: the denial most attacks get, and the attacks that die elsewhere. */
const TABLE: Readonly<
  Record<string, { readonly base: Expected; readonly except?: Readonly<Record<string, Expected>> }>
> = {
  // Chain blocks die at `limits`, in the codec's shape checks (header allow-list, typ per
  // position, canonical base64url, strict JSON), before any key is looked at.
  'jws-root': {
    base: malformed('limits', 0),
    // `kid` is allowed on a root (it selects among the anchor's keys): the attacker's
    // signature then fails against the anchor.
    except: { 'kid-injection': { code: 'MANDATE_SIGNATURE_INVALID', check: 'anchor', hop: 0 } },
  },
  'jws-delegation': {
    base: malformed('limits', 1),
    // Caught by the token-level grammar (characters outside base64url, `.` and `~`), before
    // the token is split into blocks: reported at the first hop.
    except: { 'b64-false': malformed('limits', 0), 'trailing-whitespace': malformed('limits', 0) },
  },
  'aat-root': {
    base: malformed('limits', 0),
    except: { 'kid-injection': { code: 'MANDATE_SIGNATURE_INVALID', check: 'anchor', hop: 0 } },
  },
  'aat-delegation': {
    base: malformed('limits', 1),
    except: {
      // An AAT block may carry `kid`; the attacker's signature fails against the parent's holder.
      'kid-injection': { code: 'MANDATE_SIGNATURE_INVALID', check: 'linkage', hop: 1 },
      'b64-false': malformed('limits', 0),
      'trailing-whitespace': malformed('limits', 0),
    },
  },
  // Proofs die at `possession`: a proof that does not parse proves nothing.
  'dpop-proof': { base: { code: 'MANDATE_PROOF_INVALID', check: 'possession', hop: 0 } },
  'invocation-proof': { base: { code: 'MANDATE_PROOF_INVALID', check: 'possession', hop: 0 } },
  'aat-pop': { base: { code: 'MANDATE_PROOF_INVALID', check: 'possession', hop: 0 } },
  // Access tokens: shape at `limits`; algorithm and key at `anchor`.
  'access-token': {
    base: malformed('limits', 0),
    except: {
      ...signatureInvalid(0, [
        'alg-none',
        'alg-none-signed',
        'alg-none-case',
        'alg-hs256-public-key',
        'alg-hs256-raw-public-key',
        // jku/x5u/x5c/jwk are never used to find a key: the attacker's signature fails
        // against the configured key set.
        'jku-injection',
        'x5u-injection',
        'x5c-injection',
        'jwk-injection',
      ]),
      'kid-injection': { code: 'MANDATE_UNTRUSTED_ISSUER', check: 'anchor', hop: 0 },
    },
  },
  // Agent Cards: everything at `anchor` (the card is the key's anchor), without a hop.
  'agent-card': {
    base: malformed('anchor'),
    except: {
      ...signatureInvalid(undefined, [
        'alg-none',
        'alg-none-signed',
        'alg-none-case',
        'alg-hs256-public-key',
        'alg-hs256-raw-public-key',
      ]),
      // A `jku` not allow-listed for the card, a `kid` not in the trusted keys.
      'jku-injection': { code: 'MANDATE_UNTRUSTED_ISSUER', check: 'anchor' },
      'kid-injection': { code: 'MANDATE_UNTRUSTED_ISSUER', check: 'anchor' },
    },
  },
};

function signatureInvalid(
  hop: number | undefined,
  attacks: readonly string[],
): Record<string, Expected> {
  const expected: Expected = {
    code: 'MANDATE_SIGNATURE_INVALID',
    check: 'anchor',
    ...(hop === undefined ? {} : { hop }),
  };
  return Object.fromEntries(attacks.map((attack) => [attack, expected]));
}

/** The exact denial of `attack` against `target`. Throws for a target without a row. */
export function expectedDenial(target: string, attack: string): Expected {
  const row = TABLE[target];
  if (row === undefined) throw new Error(`no expected denials for target ${target}`);
  return row.except?.[attack] ?? row.base;
}
