/** Reading a mandate (`Authorization: DPoP <mandate>`) and its proof (`DPoP`) from headers. */

/** The credentials of one request. */
export interface Credentials {
  /** The mandate, or undefined when no `Authorization: DPoP` credentials were sent. */
  readonly token: string | undefined;
  /** The `DPoP` header (several values are kept joined, so the verifier rejects them). */
  readonly proof: string | undefined;
}

/** A header as the frameworks give it. */
export type HeaderValue = string | readonly string[] | null | undefined;

function single(value: HeaderValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  // RFC 9449 §4.3: exactly one DPoP header. Joined duplicates are not a compact JWS.
  return typeof value === 'string' ? value : value.join(', ');
}

/**
 * Read the credentials. Only the `DPoP` scheme carries a mandate (case-insensitive, RFC 9110
 * §11.1); a `Bearer` or any other scheme counts as no credentials: a mandate is always
 * sender-constrained, and a bearer presentation would drop that.
 */
export function readCredentials(authorization: HeaderValue, dpop: HeaderValue): Credentials {
  const auth = single(authorization);
  let token: string | undefined;
  if (auth !== undefined) {
    // Anything after the scheme goes to the verifier, which rejects a malformed token.
    const match = /^DPoP[ ]+(.*)$/is.exec(auth);
    if (match !== null) token = (match[1] ?? '').trim();
  }
  return { token, proof: single(dpop) };
}

/**
 * The header that carries signed approvals (docs/guides/approvals.md), repeatable: one
 * approval per header, or several joined by commas (a compact JWS holds none).
 */
export const APPROVAL_HEADER = 'mandate-approval';

/**
 * The approvals a request carries in `Mandate-Approval` headers, in order. Frameworks join
 * repeated headers with `, `; each piece is one compact JWS. Empty pieces are dropped; the
 * verifier bounds how many it reads.
 */
export function readApprovals(value: HeaderValue): string[] {
  if (value === null || value === undefined) return [];
  const values = typeof value === 'string' ? [value] : value;
  return values
    .flatMap((entry) => entry.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
