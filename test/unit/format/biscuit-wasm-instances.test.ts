/**
 * The instance lifecycle's laws (src/format/biscuit/wasm/instances.ts), against a model instance
 * whose loads, and the calls' steps, run in an order fast-check's scheduler chooses:
 * - a call holding a usable lease never finds its instance unloaded, however retirements, bloat and
 *   other calls' faults interleave with it (a call that keeps objects across awaits included);
 * - a fault unloads its instance at once, and every other lease on it reports `usable: false`;
 * - at most one instance is live; once every call has ended, every other instance was unloaded
 *   exactly once and nothing is left draining (memory stays bounded).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { InstancePool } from '../../../src/format/biscuit/wasm/instances.js';
import { NUM_RUNS } from '../../../src/testing/config.js';

/** A model instance: counts its uses, and breaks the test if used or unloaded after unloading. */
class ModelInstance {
  static made = 0;
  readonly id = ++ModelInstance.made;
  uses = 0;
  unloads = 0;
  /** Set when a call faulted on this instance. */
  broken = false;
  constructor(readonly capacity: number) {}

  use(): void {
    if (this.unloads > 0) throw new Error(`instance ${this.id} used after it was unloaded`);
    this.uses++;
  }
}

type Op =
  | { readonly kind: 'call'; readonly steps: number; readonly fault: boolean }
  | { readonly kind: 'retire' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('call' as const),
      steps: fc.integer({ min: 0, max: 3 }),
      fault: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'retire' as const }) },
);

/** A pool of instances numbered 1, 2, ... in load order, recording what it unloads. */
function numberedPool() {
  const unloaded: number[] = [];
  let next = 0;
  const pool = new InstancePool<number>({
    load: () => Promise.resolve(++next),
    unload: (instance) => unloaded.push(instance),
    bloated: () => false,
  });
  return { pool, unloaded };
}

describe('the wasm instance lifecycle (model)', () => {
  it('no call in flight ever loses its instance; retired instances are all unloaded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(op, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 6 }),
        async (s, ops, capacity) => {
          const made: ModelInstance[] = [];
          const pool = new InstancePool<ModelInstance>({
            load: s.scheduleFunction(async function load() {
              const instance = new ModelInstance(capacity);
              made.push(instance);
              return Promise.resolve(instance);
            }),
            unload: (instance) => {
              instance.unloads++;
            },
            bloated: (instance) => instance.uses >= instance.capacity,
          });
          let faults = 0;

          /** A call: lease, then use the instance over `steps` awaits (objects kept across them). */
          async function call(steps: number, fault: boolean): Promise<void> {
            for (;;) {
              const lease = pool.tryLease() ?? (await pool.lease());
              let lost = false;
              for (let step = 0; step <= steps; step++) {
                if (!lease.usable) {
                  // Only a fault elsewhere may take an instance from under a lease.
                  expect(lease.instance.broken).toBe(true);
                  expect(lease.instance.unloads).toBe(1);
                  lost = true;
                  break;
                }
                lease.instance.use();
                if (step < steps) await s.schedule(Promise.resolve(), `call step ${step}`);
              }
              if (lost) {
                lease.release();
                continue;
              }
              if (fault) {
                faults++;
                lease.instance.broken = true;
              }
              lease.release(fault ? 'broken' : undefined);
              if (fault) expect(lease.instance.unloads).toBe(1);
              return;
            }
          }

          const running = ops.map((o, i) =>
            s.schedule(Promise.resolve(), `start ${i} ${o.kind}`).then(async () => {
              if (o.kind === 'retire') pool.retire();
              else await call(o.steps, o.fault);
            }),
          );
          await s.waitFor(Promise.all(running));

          const stats = pool.stats();
          expect(stats.leases).toBe(0);
          expect(stats.draining).toBe(0);
          expect(stats.broken).toBe(faults);
          expect(stats.loaded).toBe(made.length);
          for (const instance of made) {
            expect(instance.unloads).toBe(instance === stats.live ? 0 : 1);
          }
          expect(stats.unloaded).toBe(made.length - (stats.live === undefined ? 0 : 1));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('a retired instance stays loaded while leased and is unloaded by its last release', async () => {
    const { pool, unloaded } = numberedPool();
    const a = await pool.lease();
    const b = await pool.lease();
    expect(b.instance).toBe(a.instance);
    pool.retire();
    expect(pool.stats()).toMatchObject({ live: undefined, retired: 1, draining: 1, leases: 2 });
    const c = await pool.lease(); // a new lease gets a new instance
    expect(c.instance).toBe(2);
    a.release();
    a.release(); // idempotent
    expect(unloaded).toEqual([]);
    expect(b.usable).toBe(true);
    b.release();
    expect(unloaded).toEqual([1]);
    expect(pool.stats()).toMatchObject({ live: 2, draining: 0, leases: 1, unloaded: 1 });
    c.release();
  });

  it('a fault unloads at once; the other leases on that instance become unusable', async () => {
    const { pool, unloaded } = numberedPool();
    const a = await pool.lease();
    const waiting = await pool.lease();
    a.release('broken');
    expect(unloaded).toEqual([1]);
    expect(waiting.usable).toBe(false);
    waiting.release();
    expect(unloaded).toEqual([1]); // unloaded once
    expect(pool.stats()).toMatchObject({ live: undefined, broken: 1, unloaded: 1, leases: 0 });
    expect((await pool.lease()).instance).toBe(2);
  });

  it('a failed load rejects every waiter, and the next lease loads again', async () => {
    let attempts = 0;
    const pool = new InstancePool<number>({
      load: () => (++attempts === 1 ? Promise.reject(new Error('no wasm')) : Promise.resolve(7)),
      unload: () => undefined,
      bloated: () => false,
    });
    const results = await Promise.allSettled([pool.lease(), pool.lease()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(attempts).toBe(1);
    expect((await pool.lease()).instance).toBe(7);
  });
});
