/**
 * The soak's traffic generator, in its own process: minting, delegating and proving happen
 * outside the verifying process, so that process's memory (rss included) holds only what
 * verification keeps, and the next batch is made while the current one is verified.
 *
 * Started by ./generator.ts with `node --import tsx generator-process.ts <format> <seed>`.
 */
import type { Format } from '../../src/index.js';
import { Workload } from './workload.js';

const [format, seed] = process.argv.slice(2);
const send = process.send?.bind(process);
if (send === undefined) throw new Error('generator-process runs as a child of the soak (fork)');
const workload = await Workload.create(format as Format, Number(seed));
send({ type: 'ready', trustAnchor: workload.trustAnchor });
// One batch at a time, in order: each batch's replays come from the one before it.
let queue = Promise.resolve();
process.on('message', (size: number) => {
  queue = queue.then(async () => {
    send({ type: 'batch', batch: await workload.batch(size) });
  });
});
// The soak is gone: so is its generator.
process.on('disconnect', () => process.exit(0));
