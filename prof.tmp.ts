import { buildCorpus, fuzzWorld } from './src/testing/fuzz/corpus.js';
import { CHAIN_MUTATORS } from './src/testing/chain-mutators.js';
import { caseRandom } from './src/testing/fuzz/random.js';
import { presentProof } from './src/testing/fuzz/present.js';
const world = fuzzWorld(7);
let t = performance.now();
const corpus = await buildCorpus(world, 7, 6);
console.log('corpus', (performance.now()-t).toFixed(0));
for (const format of ['jws','aat','biscuit'] as const) {
  for (const m of CHAIN_MUTATORS) {
    let tm=0, tp=0, tv=0, n=0;
    for (let i=0;i<15;i++) {
      const r = caseRandom(1, i*100 + m.name.length);
      const chain = corpus[format][r.int(6)]!;
      let a = performance.now();
      let mu; try { mu = await m.mutate(chain.target, r); } catch(e) { continue; }
      tm += performance.now()-a; if (!mu) continue;
      a = performance.now();
      const proof = await presentProof(format, mu.token, mu.presenter, chain.request, 'x'+i);
      tp += performance.now()-a; a = performance.now();
      await world.verifier.verify(mu.token, { action: chain.action, ...(proof?{proof}:{}), request: chain.request });
      tv += performance.now()-a; n++;
    }
    console.log(format.padEnd(8), m.name.padEnd(18), 'n', n, 'mutate', (tm/n).toFixed(2), 'proof', (tp/n).toFixed(2), 'verify', (tv/n).toFixed(2));
  }
}
