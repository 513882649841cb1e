/** The layer order `mandate/one-way-imports` enforces on `src/` (eslint.config.js). */

/**
 * DESIGN.md section 7: `src/` folders in order; a folder imports only itself and the folders
 * before it (`core` nothing of ours). `allow` names the known exceptions, each with its reason.
 */
export const LAYERS = {
  root: 'src',
  // `stores` sits below `format`: the stores need only core and identity, and the verifiers
  // (verify/, oauth/) speak their contract and default to the in-memory replay store.
  layers: [
    'core',
    'identity',
    'stores',
    'format',
    'proof',
    'verify',
    'oauth',
    'adapters',
    'testing',
    'cli',
  ],
  allow: [],
};
