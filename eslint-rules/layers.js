/** The layer order `mandate/one-way-imports` enforces on `src/` (eslint.config.js). */

/**
 * DESIGN.md section 7: `src/` folders in order; a folder imports only itself and the folders
 * before it (`core` nothing of ours). `allow` names the known exceptions, each with its reason.
 */
export const LAYERS = {
  root: 'src',
  layers: [
    'core',
    'identity',
    'format',
    'proof',
    'verify',
    'oauth',
    'stores',
    'adapters',
    'testing',
    'cli',
  ],
  // The verifier (and the access-token verifier) defaults to the in-memory replay store and
  // speaks the stores' contract (their interfaces and StoreUnavailableError): where that
  // contract lives, given `stores/` below `verify/`, is a DESIGN.md decision still open.
  allow: [
    ...['stores/memory.js', 'stores/types.js', 'stores/errors.js'].map((to) => ({
      from: 'verify',
      to,
      why: 'the default replay store and the store contract',
    })),
    ...['stores/memory.js', 'stores/types.js'].map((to) => ({
      from: 'oauth',
      to,
      why: 'the default replay store and the store contract',
    })),
  ],
};
