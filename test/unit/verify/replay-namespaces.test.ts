/**
 * The replay store's three namespaces (src/verify/replay-keys.ts): a law over the keys (no key
 * of one kind equals a key of another, whatever the ids) and the verifier-level contract on
 * the memory store (test/helpers/replay-namespaces.ts; the Redis suites run it on one server
 * and on a Cluster).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryReplayStore } from '../../../src/index.js';
import { THUMBPRINT_URI_PREFIX } from '../../../src/identity/thumbprint.js';
import { NUM_RUNS } from '../../../src/testing/config.js';
import {
  approvalReplayKey,
  proofReplayKey,
  singleUseReplayKey,
} from '../../../src/verify/replay-keys.js';
import { replayNamespaceContract } from '../../helpers/replay-namespaces.js';

/** Principal ids as the verifier computes them: RFC 9278 URIs of a SHA-256 thumbprint. */
const principal = fc
  .string({ unit: fc.constantFrom(...'ABCxyz019-_'), minLength: 43, maxLength: 43 })
  .map((thumbprint) => `${THUMBPRINT_URI_PREFIX}${thumbprint}`);
/** Ids as hostile callers and tokens may spell them: any text, other kinds' keys included. */
const id = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.constantFrom('approval:', 'single-use:', THUMBPRINT_URI_PREFIX, '#', 'sender:', 'grant:'),
  fc.tuple(principal, fc.string()).map(([p, s]) => `${p}#${s}`),
  fc.tuple(principal, fc.string()).map(([p, s]) => `approval:${p}#${s}`),
);

describe('replay keys: one namespace per kind', () => {
  it('law: a proof key, an approval key and a single-use key are never equal, whatever the ids', () => {
    // The single-use id is hostile: any text, or spelled as the very proof or approval key
    // (raw id or whole key) it would collide with if the kinds shared a namespace.
    const spelling = fc.constantFrom(
      'own',
      'proof-jti',
      'proof-key',
      'approval-id',
      'approval-key',
    );
    fc.assert(
      fc.property(
        principal,
        principal,
        id,
        id,
        id,
        spelling,
        (signer, approver, jti, approvalId, own, as) => {
          const proof = proofReplayKey(signer, jti);
          const approval = approvalReplayKey(approver, approvalId);
          const single = {
            own,
            'proof-jti': jti,
            'proof-key': proof,
            'approval-id': approvalId,
            'approval-key': approval,
          }[as];
          const keys = [proof, approval, singleUseReplayKey(single)];
          expect(new Set(keys).size).toBe(3);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('a proof key only for a principal id: any other signer would leave the namespace', () => {
    expect(() => proofReplayKey('approval:x', 'j')).toThrow(TypeError);
    expect(() => proofReplayKey('single-use:x', 'j')).toThrow(TypeError);
  });
});

describe('the namespaces under the verifier, on the memory store', () => {
  replayNamespaceContract(() => new MemoryReplayStore());
});
