/**
 * A verifier in another process (another organisation's tool, as far as it knows): it trusts
 * one anchor by its public JWK and follows that anchor's signed revocation list over HTTP with
 * a `RevocationListStore` refreshing in the background. Started by `other-process.test.ts`
 * with `fork(..., { execArgv: ['--import', 'tsx'] })`; argv[2] is the JSON of
 * `ListWorkerConfig`. It answers `{ id, token, proof }` messages with `{ id, decision }`.
 */
import type { JWK } from 'jose';

import { createVerifier, type Decision } from '../../../src/index.js';
import { RevocationListStore } from '../../../src/stores/revocation-list/index.js';

export interface ListWorkerConfig {
  readonly anchor: { readonly id: string; readonly publicJwk: JWK };
  readonly listUrl: string;
  readonly audience: string;
  readonly refreshSeconds: number;
  readonly request: { readonly method: string; readonly url: string };
  readonly action: { readonly resource: string; readonly action: string };
}

const config = JSON.parse(process.argv[2] ?? '') as ListWorkerConfig;
const anchor = { ...config.anchor, revocationListUrl: config.listUrl };
const revocation = new RevocationListStore({
  anchors: [anchor],
  refreshSeconds: config.refreshSeconds,
});
const verifier = createVerifier({ trustAnchors: [anchor], audience: config.audience, revocation });

process.on('message', (message: { id: number; token: string; proof: string }) => {
  void verifier
    .verify(message.token, { action: config.action, proof: message.proof, request: config.request })
    .then((decision: Decision) => {
      if (process.connected) process.send?.({ id: message.id, decision });
    });
});
process.on('disconnect', () => {
  void revocation.close().finally(() => process.exit(0));
});
// Ready once the first list is in.
await revocation.refresh();
process.send?.({ ready: true });
