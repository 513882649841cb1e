/**
 * docs/guides/stores.md: its signed-revocation-list example (the one `ts` block that is a whole
 * program) runs against the source tree and prints what the guide says. The other snippets are
 * fragments and are not run.
 */
import { describe, expect, it } from 'vitest';

import { runGuideExample } from '../../helpers/guide.js';

describe('docs/guides/stores.md', () => {
  it('the revocation-list example runs: allowed, then revoked at hop 1', async () => {
    const stdout = await runGuideExample('docs/guides/stores.md', 'RevocationListPublisher', {
      'mandate/stores/revocation-list': 'src/stores/revocation-list/index.ts',
      mandate: 'src/index.ts',
    });
    expect(stdout.trim().split('\n')).toEqual(['true', 'MANDATE_REVOKED at hop 1']);
  }, 60_000);
});
