/**
 * The thief process: it has a captured tool call (mandate and proof) and its own key. It
 * replays the call verbatim, then presents the mandate with a proof of its own. Prints both
 * outcomes as one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mandateDenial, META_MANDATE, META_PROOF } from '../../adapters/mcp/index.js';
import { encodeSegment } from '../../core/jws/compact.js';
import { prepareSigner, signBytes } from '../../identity/keys.js';
import { accessTokenHash, argsHash } from '../../proof/request.js';
import { TYP } from '../../core/typ.js';
import { denialOutcome, keyPairOf, readConfig, type CapturedCall, type Outcome } from './common.js';

const config = readConfig();
const loot = config.captured;
if (loot === undefined) throw new Error('nothing captured');
const captured: CapturedCall = loot;
const key = await keyPairOf(config.keyJwk);
const client = new Client({ name: 'thief', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL(config.toolUrl ?? '')));

async function attempt(meta: Record<string, string>): Promise<Outcome> {
  try {
    const result = await client.callTool({
      name: captured.name,
      arguments: captured.arguments,
      _meta: meta,
    });
    const content = result.structuredContent as { subject: string; chain: string[] };
    return { allowed: true, subject: content.subject, chain: content.chain };
  } catch (error) {
    const denial = mandateDenial(error);
    if (denial === undefined) throw error;
    return denialOutcome(denial);
  }
}

const replayed = await attempt(captured._meta);
// `prove` refuses a signer that is not the last holder: the thief signs by hand.
const token = captured._meta[META_MANDATE] ?? '';
const signer = prepareSigner(key);
const input = `${encodeSegment({ typ: TYP.invocation, alg: signer.alg, jwk: signer.publicJwk })}.${encodeSegment(
  {
    jti: randomUUID(),
    tool: captured.name,
    args_hash: argsHash(captured.arguments),
    iat: Math.floor(Date.now() / 1000),
    ath: accessTokenHash(token),
  },
)}`;
const ownProof = `${input}.${signBytes(signer, input).toString('base64url')}`;
const stolen = await attempt({ [META_MANDATE]: token, [META_PROOF]: ownProof });
await client.close();
process.stdout.write(`${JSON.stringify({ replayed, stolen })}\n`);
