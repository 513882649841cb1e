/**
 * The MCP payment tool process: pays an invoice when the mandate allows it, nothing else. Its
 * verifier trusts the authorization server's mandate key set; its revocation and replay
 * stores are the shared Redis ones when configured (so a fleet of tools agrees), else memory.
 */
import express from 'express';
import { createVerifier } from '../../verify/verifier.js';
import { readConfig, ready, storesOf, trustAnchorOf } from './common.js';
import { paymentTool, serveMcp, type Payment } from './payment-tool.js';

const config = readConfig();
const stores = await storesOf(config);
// One verifier (one replay store) for every request this process serves.
const verifier = createVerifier({
  trustAnchors: [trustAnchorOf(config)],
  audience: config.toolAudience,
  revocation: stores.revocation,
  replay: stores.replay,
});
const payments: Payment[] = [];

const app = express();
app.use(express.json());
serveMcp(app, '/mcp', () => paymentTool(verifier, payments));
app.get('/payments', (_req, res) => {
  res.json(payments);
});

// Without Redis, revocations arrive from the parent over IPC (standing in for the shared store
// of a fleet); with Redis, the parent writes them to the shared store and nothing comes here.
process.on('message', (message: { type?: string; id?: string }) => {
  if (message.type === 'revoke' && typeof message.id === 'string') {
    void stores.revocation
      .revoke(message.id)
      .then(() => process.send?.({ type: 'revoked', id: message.id }));
  }
});

const listener = app.listen(0, '127.0.0.1', () => {
  const address = listener.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  ready({
    url: `http://127.0.0.1:${port}/mcp`,
    origin: `http://127.0.0.1:${port}`,
    stores: stores.kind,
  });
});
