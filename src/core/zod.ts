/**
 * zod, loaded on first use. zod is the schema at every trust boundary, but loading it costs
 * more than the rest of Mandate together (issue 13: ≈65–90 ms, every locale included), and a
 * genuine request never needs it: the hot paths accept plainly valid input with small
 * structural tests (each held to its schema by a property test) and hand everything else to
 * the schema. So no module of Mandate imports zod's runtime at the top: each builds its
 * schemas through {@link lazySchema}, and the first schema built loads zod here, synchronously
 * (the capability algebra is synchronous), through `require` (Node ≥ 22.12 loads the package's
 * CommonJS build). Every Mandate module goes through this one loader, so a process holds one
 * copy of zod whichever entry points it uses. `test/integration/import-graph.test.ts` asserts
 * that `import 'mandate'` and a first genuine decision load no zod.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';

/** zod's namespace (`z`), the type every schema builder receives. */
export type ZodNamespace = typeof Zod.z;

let loaded: ZodNamespace | undefined;

/** zod's `z`, loaded on the first call (synchronously, once per process). */
export function zod(): ZodNamespace {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url);
    loaded = (require('zod') as typeof Zod).z;
  }
  return loaded;
}

/**
 * A schema built on first use: `build` runs once, with zod loaded, the first time the getter
 * is called, and the same schema is returned ever after.
 */
export function lazySchema<T>(build: (z: ZodNamespace) => T): () => T {
  let schema: T | undefined;
  return () => (schema ??= build(zod()));
}
