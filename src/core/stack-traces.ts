/** Running synchronous node:crypto calls without V8 capturing stacks for exceptions they catch. */

/**
 * Runs `fn` with V8's stack-trace capture off (when `Error.stackTraceLimit` can be set).
 *
 * Why: `createPublicKey` (and `verify` given a JWK) tells a KeyObject or a CryptoKey apart from any other object argument
 * (`{ key, format: 'jwk' }` included) by catching the exception a private-slot read throws, four
 * times per call, and capturing each exception's stack is most of what importing a key costs.
 * Measured on Node 24: ≈0.25 of an Ed25519 verification per import with stack traces, ≈0.07
 * without (a PEM string, which skips the checks, costs ≈0.1: OpenSSL's decoder is slower than the
 * raw-key import). That was most of what a chain of never-seen keys cost above the signature
 * floor. Nothing else runs meanwhile (`fn` is synchronous node:crypto code) and the limit is
 * restored before returning or throwing; an error thrown inside carries no stack, so callers wrap it.
 */
export function withoutStackTraces<T>(fn: () => T): T {
  if (Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable !== true) return fn();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
