/**
 * The soak's traffic generator, in its own process: minting, delegating and proving happen
 * outside the verifying process, so that process's memory (rss included) holds only what
 * verification keeps, and the next batch is made while the current one is verified.
 *
 * Started by ./generator.ts with `node --import tsx generator-process.ts <shares> <seed>`, where
 * `<shares>` is JSON (`[{ "format": "jws", "weight": 4 }, ...]`); each message `{ size, now }`
 * asks for the next batch.
 */
import { Traffic, type Share } from './workload.js';

const [shares, seed] = process.argv.slice(2);
const send = process.send?.bind(process);
if (send === undefined) throw new Error('generator-process runs as a child of the soak (fork)');
const traffic = await Traffic.create(JSON.parse(shares ?? '[]') as Share[], Number(seed));
send({ type: 'ready', trustAnchors: traffic.trustAnchors });
// One batch at a time, in order: each batch's replays come from the one before it.
let queue = Promise.resolve();
process.on('message', ({ size, now }: { size: number; now: number }) => {
  queue = queue.then(async () => {
    send({ type: 'batch', batch: await traffic.batch(size, now) });
  });
});
// The soak is gone: so is its generator.
process.on('disconnect', () => process.exit(0));
