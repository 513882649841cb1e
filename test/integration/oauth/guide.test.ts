/**
 * docs/guides/oauth.md: its end-to-end example runs (against the source tree) and prints
 * what the guide says. The other snippets are fragments and are not run.
 */
import { describe, expect, it } from 'vitest';

import { runGuideExample } from '../../helpers/guide.js';

describe('docs/guides/oauth.md', () => {
  it('the whole-flow example (examples/oauth/main.ts) runs: allowed for alice, 300 refused', async () => {
    const stdout = await runGuideExample('docs/guides/oauth.md', '', {
      'mandate/oauth': 'src/oauth/index.ts',
      '../../src/cli/authorization-server/demo-authorization-server.js':
        'src/cli/authorization-server/demo-authorization-server.ts',
      mandate: 'src/index.ts',
    });
    expect(stdout.trim().split('\n')).toEqual(['allowed for alice', 'MANDATE_FORBIDDEN at hop 1']);
  }, 60_000);
});
