/**
 * When a proof is fresh, and how long its id must be remembered. One definition for every
 * proof (DPoP, invocation, AAT) and every checker (the verifier, `mandate/oauth`), so that
 * the replay store always remembers a proof id for at least as long as the proof is accepted.
 */

/** Whether a proof issued at `iat` is fresh at `now`: within `window` seconds either side. */
export function isFresh(iat: number, now: number, window: number): boolean {
  return Math.abs(now - iat) <= window;
}

/**
 * The instant (seconds since the epoch) until which a replay store must keep the id of a
 * proof issued at `iat`: strictly after the last instant the proof is fresh, on any clock.
 *
 * A proof is fresh while `now <= iat + window`. The wall clock gives whole seconds
 * (`floor(t)`), so a proof is accepted up to the real instant `floor(iat + window) + 1`
 * (exclusive); a clock giving fractions accepts it up to `iat + window` (inclusive). Keeping
 * the id until `floor(iat + window) + 1` covers both, and a store that measures time with
 * fractions (`Date.now() / 1000`) never forgets it while it can still be accepted.
 */
export function replayExpiry(iat: number, window: number): number {
  return Math.floor(iat + window) + 1;
}
