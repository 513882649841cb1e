#!/usr/bin/env node
/**
 * The `mandate` command: keygen, mint, delegate, prove, inspect, verify, revoke, and `demo`,
 * which runs the whole handshake and every attack on loopback and prints where each fails.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createPrivateKey } from 'node:crypto';
import type { JWK } from 'jose';
import { delegate } from '../format/delegate.js';
import { mint } from '../format/mint.js';
import { parseMandate } from '../format/parse.js';
import { generateKeyPair } from '../identity/keys.js';
import { thumbprintUri } from '../identity/thumbprint.js';
import { prove } from '../proof/prove.js';
import { createVerifier } from '../verify/verifier.js';
import type { Action, CapabilityInput, Format, KeyPair, ProofRequest } from '../core/types.js';
import { runDemo } from './demo.js';

const USAGE = `usage: mandate <command> [options]

  demo [--format jws|biscuit]          run the handshake and every attack; exit 1 if any surprises
  demo --processes                     the same flow with each party in its own process on loopback
                                        (A2A orchestrator and billing agent, MCP payment tool, a thief);
                                        needs the optional peers @a2a-js/sdk, @modelcontextprotocol/sdk, express
  keygen [--alg Ed25519|ES256]          print a new private JWK (its public part and id on stderr)
  mint --issuer KEY --subject S --holder PUBJWK --caps JSON --expires SPAN
       [--issuer-id ID] [--audience A] [--max-depth N] [--format jws|biscuit]
  delegate --mandate TOKEN --signer KEY --holder PUBJWK [--caps JSON] [--expires SPAN]
  prove --mandate TOKEN --signer KEY (--method M --url U | --tool T --args JSON)
  inspect TOKEN                         decode a mandate (nothing verified) and show its blocks
  revoke BLOCK-ID --redis URL [--prefix P] [--expires-at SECONDS]
                                        revoke a block (and every mandate that contains it) in
                                        the Redis that a fleet of verifiers shares; without
                                        --expires-at (the block's expiry, seconds since the
                                        epoch) the revocation is kept for good. The URL may
                                        come from MANDATE_REDIS_URL instead (keeps a password
                                        out of the process list)
  verify --mandate TOKEN --anchor ID=PUBJWK --audience A --action JSON
       [--proof P (--method M --url U | --tool T --args JSON)] [--no-proof]

KEY and PUBJWK are JWK JSON, or @file to read it from a file.`;

async function readJsonArg(value: string | undefined, label: string): Promise<unknown> {
  if (value === undefined) throw new Error(`--${label} is required`);
  const text = value.startsWith('@') ? await readFile(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`--${label} must be JSON (or @file)`);
  }
}

async function keyPairFrom(value: string | undefined, label: string): Promise<KeyPair> {
  const jwk = (await readJsonArg(value, label)) as JWK;
  const privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
  const { d: _d, ...publicJwk } = jwk;
  return { privateKey, publicJwk, id: await thumbprintUri(publicJwk) };
}

function requestFrom(values: {
  readonly tool?: string;
  readonly args?: string;
  readonly method?: string;
  readonly url?: string;
}): Promise<ProofRequest> | ProofRequest {
  if (typeof values.tool === 'string') {
    return readJsonArg(typeof values.args === 'string' ? values.args : '{}', 'args').then(
      (args) => ({
        tool: values.tool as string,
        args: args as never,
      }),
    );
  }
  if (typeof values.method === 'string' && typeof values.url === 'string') {
    return { method: values.method, url: values.url };
  }
  throw new Error('a request needs --method and --url, or --tool and --args');
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      alg: { type: 'string' },
      issuer: { type: 'string' },
      'issuer-id': { type: 'string' },
      subject: { type: 'string' },
      holder: { type: 'string' },
      caps: { type: 'string' },
      expires: { type: 'string' },
      audience: { type: 'string' },
      'max-depth': { type: 'string' },
      mandate: { type: 'string' },
      signer: { type: 'string' },
      method: { type: 'string' },
      url: { type: 'string' },
      tool: { type: 'string' },
      args: { type: 'string' },
      anchor: { type: 'string', multiple: true },
      action: { type: 'string' },
      proof: { type: 'string' },
      'no-proof': { type: 'boolean' },
      processes: { type: 'boolean' },
      redis: { type: 'string' },
      prefix: { type: 'string' },
      'expires-at': { type: 'string' },
    },
  });
  const format = (values.format ?? 'jws') as Format;
  switch (command) {
    case 'demo':
      if (values.processes === true) {
        // Loaded only here: the process demo needs the optional A2A / MCP peers.
        const { printProcessDemo } = await import('./processes/run.js');
        return printProcessDemo();
      }
      return runDemo(
        format === 'biscuit'
          ? ['biscuit']
          : values.format === undefined
            ? ['jws', 'biscuit']
            : [format],
      );
    case 'keygen': {
      const pair = await generateKeyPair((values.alg ?? 'Ed25519') as 'Ed25519' | 'ES256');
      const { exportJWK } = await import('jose');
      process.stdout.write(`${JSON.stringify(await exportJWK(pair.privateKey as never))}\n`);
      process.stderr.write(`public: ${JSON.stringify(pair.publicJwk)}\nid: ${pair.id}\n`);
      return 0;
    }
    case 'mint': {
      const mandate = await mint({
        issuer: await keyPairFrom(values.issuer, 'issuer'),
        ...(values['issuer-id'] === undefined ? {} : { issuerId: values['issuer-id'] }),
        subject: values.subject ?? '',
        holder: (await readJsonArg(values.holder, 'holder')) as JWK,
        capabilities: (await readJsonArg(values.caps, 'caps')) as CapabilityInput[],
        expiresIn: values.expires ?? '15m',
        ...(values.audience === undefined ? {} : { audience: values.audience }),
        ...(values['max-depth'] === undefined ? {} : { maxDepth: Number(values['max-depth']) }),
        format,
      });
      process.stdout.write(`${mandate.token}\n`);
      return 0;
    }
    case 'delegate': {
      const mandate = await delegate(values.mandate ?? '', {
        signer: await keyPairFrom(values.signer, 'signer'),
        holder: (await readJsonArg(values.holder, 'holder')) as JWK,
        ...(values.caps === undefined
          ? {}
          : { capabilities: (await readJsonArg(values.caps, 'caps')) as CapabilityInput[] }),
        ...(values.expires === undefined ? {} : { expiresIn: values.expires }),
      });
      process.stdout.write(`${mandate.token}\n`);
      return 0;
    }
    case 'prove': {
      const proof = await prove(values.mandate ?? '', {
        signer: await keyPairFrom(values.signer, 'signer'),
        request: await requestFrom(values),
      });
      process.stdout.write(`${proof}\n`);
      return 0;
    }
    case 'inspect': {
      const token = positionals[0] ?? values.mandate;
      if (token === undefined) throw new Error('inspect needs a token');
      const mandate = await parseMandate(token);
      process.stdout.write('NOT VERIFIED: decoded only, nothing about this mandate is checked.\n');
      process.stdout.write(`format: ${mandate.format}\nsubject: ${mandate.subject}\n`);
      for (const [hop, block] of mandate.blocks.entries()) {
        process.stdout.write(
          `\nblock ${hop}  id ${block.id}\n  issuer  ${block.issuer}\n  holder  ${block.holder}\n` +
            `  expires ${new Date(block.expiresAt * 1000).toISOString()}  depth ${block.depth}/${block.maxDepth}` +
            `${block.audience === undefined ? '' : `  audience ${block.audience.join(', ')}`}\n` +
            block.capabilities
              .map(
                (c) =>
                  `  may ${c.actions.join(',')} on ${c.resource}${c.constraints === undefined ? '' : ` where ${JSON.stringify(c.constraints)}`}\n`,
              )
              .join(''),
        );
      }
      return 0;
    }
    case 'revoke':
      return revoke(positionals, values);
    case 'verify': {
      const anchors = await Promise.all(
        (values.anchor ?? []).map(async (entry) => {
          const at = entry.indexOf('=');
          if (at < 1) throw new Error('--anchor takes ID=PUBJWK');
          return {
            id: entry.slice(0, at),
            publicJwk: (await readJsonArg(entry.slice(at + 1), 'anchor')) as JWK,
          };
        }),
      );
      const verifier = createVerifier({
        trustAnchors: anchors,
        audience: values.audience ?? '',
        requireProof: values['no-proof'] !== true,
      });
      const action = (await readJsonArg(values.action, 'action')) as Action;
      const decision = await verifier.verify(values.mandate ?? '', {
        action,
        ...(values.proof === undefined
          ? {}
          : { proof: values.proof, request: await requestFrom(values) }),
      });
      process.stdout.write(`${JSON.stringify(decision, null, 2)}\n`);
      return decision.allowed ? 0 : 3;
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      process.stderr.write(`unknown command ${command}\n${USAGE}\n`);
      return 2;
  }
}

/**
 * `mandate revoke`: one `RedisRevocationStore.revoke`, bounded (the store's 1 s timeout), then
 * the connection is closed. The Redis sub-path is imported here only, so no other command
 * loads ioredis. The URL is never printed (it may hold a password).
 */
async function revoke(
  positionals: readonly string[],
  values: { readonly redis?: string; readonly prefix?: string; readonly 'expires-at'?: string },
): Promise<number> {
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) {
    throw new Error('revoke takes exactly one block id (`mandate inspect TOKEN` shows them)');
  }
  const url = values.redis ?? process.env.MANDATE_REDIS_URL;
  if (url === undefined || url === '') {
    throw new Error('revoke needs --redis URL (or MANDATE_REDIS_URL)');
  }
  let expiresAt: number | undefined;
  const expires = values['expires-at'];
  if (expires !== undefined) {
    expiresAt = Number(expires);
    if (!/^[0-9]{1,12}$/.test(expires) || !Number.isSafeInteger(expiresAt)) {
      throw new Error('--expires-at takes whole seconds since the epoch');
    }
  }
  const { RedisRevocationStore } = await import('../stores/redis/index.js');
  const store = new RedisRevocationStore({
    url,
    ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
  });
  try {
    await store.revoke(id, expiresAt);
  } catch (error) {
    // Say plainly that nothing was revoked: an operator must not walk away believing it was.
    const why = error instanceof Error ? error.message : 'the store failed';
    throw new Error(`${id} was NOT revoked: ${why}`, { cause: error });
  } finally {
    await store.close();
  }
  process.stdout.write(
    `revoked ${id} ${
      expiresAt === undefined
        ? 'for good'
        : `until ${new Date(expiresAt * 1000).toISOString()} plus the store's grace`
    }\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const err = error as { code?: string; message?: string };
    process.stderr.write(
      `mandate: ${err.code === undefined ? '' : `${err.code}: `}${err.message ?? String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
