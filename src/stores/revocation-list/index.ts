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
export { signRevocationList } from './sign.js';
export {
  MAX_LIST_ENTRIES,
  REVOCATION_LIST_ALGS,
  REVOCATION_LIST_MEDIA_TYPE,
  REVOCATION_LIST_TYP,
  revocationListPayloadSchema,
} from './format.js';
export type { RevocationListPayload } from './format.js';
export { parseState, revokeInStateFile } from './state.js';
export type { RevocationListState, RevocationListStateEntry } from './state.js';
export { StoreUnavailableError } from '../errors.js';
export type { StoreUnavailableReason } from '../errors.js';
