/**
 * The Biscuit modules, each imported on first use and then kept: JWS-only users never load
 * them, and a Biscuit user pays one dynamic `import()` per process, not one per call (each costs
 * about 0.1-0.2 ms, the price of a signature). A failed load is not kept, so a later call
 * tries again.
 */
import type * as BiscuitChain from './biscuit/chain.js';
import type * as BiscuitEncode from './biscuit/encode.js';

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}

/** The Biscuit decoder (`format/biscuit/chain.ts`). */
export const biscuitChain: () => Promise<typeof BiscuitChain> = once(
  () => import('./biscuit/chain.js'),
);

/** The Biscuit encoder (`format/biscuit/encode.ts`). */
export const biscuitEncode: () => Promise<typeof BiscuitEncode> = once(
  () => import('./biscuit/encode.js'),
);
