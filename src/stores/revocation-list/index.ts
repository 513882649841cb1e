/**
 * `mandate/stores/revocation-list`: signed revocation lists, for verifiers that share no
 * database with the issuer. The issuer signs its list with its trust-anchor key and serves it
 * (`RevocationListPublisher`); each verifier follows it (`RevocationListStore`), verified
 * against that anchor only, refreshed in the background, failing closed when too old.
 */
export { RevocationListPublisher } from './publisher.js';
export type { RevocationListPublisherOptions, SignedRevocationList } from './publisher.js';
export { RevocationListStore } from './store.js';
export type {
  RevocationListAnchor,
  RevocationListRefresh,
  RevocationListStatus,
  RevocationListStoreOptions,
} from './store.js';
export type { RevocationListPayload } from './format.js';
export type { RevocationListState, RevocationListStateEntry } from './state.js';
