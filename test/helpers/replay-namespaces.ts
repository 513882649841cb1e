/**
 * The replay store's namespaces, as a contract any store must keep under the real verifier:
 * an id of one kind (a proof's `jti`, an approval's id, a caller's `VerifyRequest.singleUse`
 * id) never uses up, and is never refused because of, an id of another kind, whichever comes
 * first; within one kind a replay is still denied with its code. Run on the memory store
 * (test/unit/verify/replay-namespaces.test.ts) and on Redis, one server and a Cluster
 * (test/integration/redis).
 */
import { expect, it } from 'vitest';
import { approvalCall, approve, prove, type ReplayStore } from '../../src/index.js';
import { approvalReplayKey, proofReplayKey } from '../../src/verify/replay-keys.js';
import {
  AUDIENCE,
  NOW,
  approvalChain,
  approvalVerifier,
  createApprovalWorld,
  pay,
} from './approval-world.js';

const world = await createApprovalWorld();
const [, holder] = world.agents;
const mandate = await approvalChain(world, 1);
const call = await approvalCall(mandate, { action: pay(250) });
const request = { method: 'POST', url: `${AUDIENCE}/pay` } as const;

const REPLAYED = { allowed: false, code: 'MANDATE_REPLAYED', hop: 1, check: 'possession' };

let run = 0;

/**
 * The namespace contract on stores made by `storeFor` (a fresh store per call, or one shared:
 * every run uses ids of its own; the caller closes them).
 */
export function replayNamespaceContract(storeFor: () => ReplayStore | Promise<ReplayStore>): void {
  async function setup() {
    const verifier = approvalVerifier(world, { replay: await storeFor() });
    const tag = `ns-${++run}-${Date.now()}`;
    /** One request: a payment of `amount` with a proof whose `jti` is given. */
    const send = async (
      jti: string,
      amount: number,
      extra: { approvals?: string[]; singleUse?: { jti: string; expiresAt: number }[] } = {},
      proof?: string,
    ) =>
      verifier.verify(mandate, {
        action: pay(amount),
        request,
        proof: proof ?? (await prove(mandate, { signer: holder, request, now: NOW, jti })),
        ...extra,
      });
    const once = (...ids: string[]) => ids.map((jti) => ({ jti, expiresAt: NOW + 120 }));
    return { send, once, tag };
  }

  it("a proof's id and a single-use id spelled the same: both allowed, either first; a replay in each kind is denied", async () => {
    const { send, once, tag } = await setup();
    const [a, b] = [`${tag}-a`, `${tag}-b`];
    // The proof first, then its id (raw, and as its own store key) as single-use ids.
    const proofA = await prove(mandate, { signer: holder, request, now: NOW, jti: a });
    expect(await send(a, 100, {}, proofA)).toMatchObject({ allowed: true });
    const asProofA = once(a, proofReplayKey(holder.id, a));
    expect(await send(`${tag}-1`, 100, { singleUse: asProofA })).toMatchObject({ allowed: true });
    // The single-use ids first, then the proof whose id they spell.
    expect(
      await send(`${tag}-2`, 100, { singleUse: once(b, proofReplayKey(holder.id, b)) }),
    ).toMatchObject({ allowed: true });
    expect(await send(b, 100)).toMatchObject({ allowed: true });
    // Within each kind, a replay is still a replay.
    expect(await send(a, 100, {}, proofA)).toMatchObject(REPLAYED);
    for (const [i, held] of asProofA.entries()) {
      expect(await send(`${tag}-3-${i}`, 100, { singleUse: [held] })).toMatchObject({
        ...REPLAYED,
        detail: { path: 'singleUse.0' },
      });
    }
  });

  it("an approval's id and a single-use id spelled the same: both allowed, either first; a replayed approval is denied", async () => {
    const { send, once, tag } = await setup();
    const [first, second] = await Promise.all(
      [`${tag}-x`, `${tag}-y`].map((jti) => approve(call, world.user, { now: NOW, jti })),
    );
    // The approval's id taken as a single-use id first: the approval is still usable, once.
    expect(
      await send(`${tag}-1`, 100, {
        singleUse: once(approvalReplayKey(world.user.id, `${tag}-x`)),
      }),
    ).toMatchObject({ allowed: true });
    expect(await send(`${tag}-2`, 250, { approvals: [first!] })).toMatchObject({
      allowed: true,
      approvedBy: [world.user.id],
    });
    expect(await send(`${tag}-3`, 250, { approvals: [first!] })).toMatchObject({
      allowed: false,
      code: 'MANDATE_APPROVAL_REPLAYED',
      hop: 1,
      check: 'authorize',
      detail: { path: 'approvals.0' },
    });
    // The approval first, then its key (and its raw id) as single-use ids.
    expect(await send(`${tag}-4`, 250, { approvals: [second!] })).toMatchObject({
      allowed: true,
    });
    const asApproval = once(approvalReplayKey(world.user.id, `${tag}-y`), `${tag}-y`);
    expect(await send(`${tag}-5`, 100, { singleUse: asApproval })).toMatchObject({
      allowed: true,
    });
    for (const [i, held] of asApproval.entries()) {
      expect(await send(`${tag}-6-${i}`, 100, { singleUse: [held] })).toMatchObject({
        ...REPLAYED,
        detail: { path: 'singleUse.0' },
      });
    }
  });
}
