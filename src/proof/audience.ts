/**
 * The service a tool-call proof is made for. DPoP binds the service with `htu`; an invocation
 * proof (and an AAT `aat-pop+jwt`) names it in its audience claim, so a proof made for tool A
 * is refused by tool B even when the mandate's audience names both.
 */

/** What the audience helpers read of a block (every encoding's decoded block has it). */
export interface AudienceOf {
  readonly audience?: readonly string[] | undefined;
}

/**
 * The services a chain may be presented to: the services every block that names an audience
 * names (the intersection), or `undefined` when no block names one (any service).
 */
export function chainServices(blocks: readonly AudienceOf[]): readonly string[] | undefined {
  let services: readonly string[] | undefined;
  for (const block of blocks) {
    if (block.audience === undefined) continue;
    const named = block.audience;
    if (services === undefined) services = named.length === 1 ? named : [...new Set(named)];
    // The usual chain names one service throughout: the intersection is that one, unchanged.
    else if (services.length !== 1 || named.length !== 1 || services[0] !== named[0])
      services = services.filter((s) => named.includes(s));
  }
  return services;
}

/**
 * Whether a verifier must see the audience in a tool-call proof: when configured to, or when
 * the chain may be presented to more than one service (a proof naming none could then be
 * replayed at a sibling service that accepts the same chain).
 */
export function proofMustNameAudience(blocks: readonly AudienceOf[], configured: boolean): boolean {
  if (configured) return true;
  const services = chainServices(blocks);
  return services !== undefined && services.length > 1;
}

/**
 * The audience `prove` writes into a tool-call proof: the explicit one, else the chain's one
 * service. Returns `undefined` when the chain names no audience and none is given (the proof
 * then names none, and only a verifier that requires no audience accepts it). Throws
 * `TypeError` (misuse) when the chain names several services (or none in common) and none is
 * chosen: a proof must be made for exactly one service. An explicit audience is used as it is
 * (a verifier elsewhere refuses the mandate or the proof anyway).
 */
export function proofAudience(
  blocks: readonly AudienceOf[],
  explicit: string | undefined,
): string | undefined {
  if (explicit !== undefined && (typeof explicit !== 'string' || explicit.length === 0)) {
    throw new TypeError('audience must be a non-empty string');
  }
  if (explicit !== undefined) return explicit;
  const services = chainServices(blocks);
  if (services === undefined) return undefined;
  const [only] = services;
  if (services.length !== 1 || only === undefined) {
    throw new TypeError(
      "the mandate's audience names several services: pass the one this proof is for (audience)",
    );
  }
  return only;
}
