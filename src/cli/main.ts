#!/usr/bin/env node
/**
 * The `mandate` command: keygen, mint, delegate, prove, inspect, verify, revoke, and `demo`,
 * which runs the whole handshake and every attack on loopback and prints where each fails.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { delegate } from '../format/delegate.js';
import { mint } from '../format/mint.js';
import { decodeChain, parseMandate } from '../format/parse.js';
import { findJsonProblem } from '../core/json-text.js';
import { generateKeyPair } from '../identity/keys.js';
import { prove } from '../proof/prove.js';
import { createVerifier } from '../verify/verifier.js';
import type {
  Action,
  Capability,
  CapabilityInput,
  ConstraintInput,
  Format,
  KeyPair,
  ProofRequest,
} from '../core/types.js';
import { TOOL_ACTION, toolFromResource, toolResource } from '../format/aat/claims.js';
import { runDemo } from './demo.js';
import { keyPairOf } from './processes/common.js';
import type { RevokeValues } from './revoke.js';

const USAGE = `usage: mandate <command> [options]

  demo [--format jws|biscuit]          run the handshake and every attack; exit 1 if any surprises
  demo --framework ai|langchain|openai-agents
                                        the agent-framework scenarios (prompt injection, sub-agent
                                        delegation, stolen mandate) through that framework's own
                                        tool loop; needs the framework installed
  demo --processes [--redis URL]       the same flow with each party in its own process on loopback
                                        (A2A orchestrator and billing agent, MCP payment tool, a thief);
                                        needs the optional peers @a2a-js/sdk, @modelcontextprotocol/sdk, express
  keygen [--alg Ed25519|ES256]          print a new private JWK (its public part and id on stderr)
  mint --issuer KEY --holder PUBJWK (--caps JSON | --tools JSON) --expires SPAN
       [--subject S] [--issuer-id ID] [--audience A] [--max-depth N] [--now SECONDS]
       [--format jws|biscuit|aat]       --subject is required for jws and biscuit; an AAT root
                                        has none, and its --issuer-id must be a URI
  delegate --mandate TOKEN --signer KEY --holder PUBJWK [--caps JSON | --tools JSON]
       [--expires SPAN] [--audience A] [--max-depth N] [--now SECONDS]
                                        the new block keeps the mandate's format
  prove --mandate TOKEN --signer KEY (--method M --url U | --tool T --args JSON)
       [--nonce N] [--audience A] [--now SECONDS]
                                        an AAT chain is proven with an aat-pop+jwt for a tool
                                        call; --audience names the service a tool-call proof is
                                        for (aud / aat_aud; needed when the mandate names several)
  inspect TOKEN                         decode a mandate (nothing verified) and show its blocks
  inspector [--port N]                  a local web page (127.0.0.1 only): paste a mandate, see who
                                        delegated what to whom and why a request would be denied;
                                        --port 0 (the default) picks a free port, printed
  revoke BLOCK-ID --redis URL [--prefix P] [--expires-at SECONDS]
                                        revoke a block (and every mandate that contains it) in
                                        the Redis that a fleet of verifiers shares; without
                                        --expires-at (the block's expiry, seconds since the
                                        epoch) the revocation is kept for good. The URL may
                                        come from MANDATE_REDIS_URL instead (keeps a password
                                        out of the process list)
  revoke BLOCK-ID --redis-cluster HOST:PORT,... [--prefix P] [--expires-at SECONDS]
                                        the same in a Redis Cluster (any reachable seed nodes)
  revoke BLOCK-ID --list-state FILE --issuer-id ID --expires-at SECONDS
                                        add the block to the issuer's signed revocation list:
                                        the state file its RevocationListPublisher serves from
  verify --mandate TOKEN --anchor ID=PUBJWK --audience A (--action JSON | --tool T --args JSON)
       [--proof P (--method M --url U | --tool T --args JSON)] [--no-proof]
       [--clock-tolerance SPAN] [--proof-window SPAN] [--nonce N] [--now SECONDS]
       [--no-require-audience] [--require-pop-audience]
       [--max-depth N] [--max-iat-skew SPAN] [--max-lifetime SPAN]
                                        the format (jws, biscuit, aat) is read from the token;
                                        a tool call's action defaults to that call; exit 0 when
                                        allowed, 3 when denied (the Decision is printed)

KEY and PUBJWK are JWK JSON, or @file to read it from a file. --caps is a JSON array of
capabilities ({ resource, actions, constraints? }); --tools is an AAT tools map
({ "read_file": { "path": { "constraint_type": "exact", "value": "/a" } } }), one capability
tool:<name> with the action call per tool. A SPAN is seconds or e.g. 15m.`;

async function readJsonArg(value: string | undefined, label: string): Promise<unknown> {
  if (value === undefined) throw new Error(`--${label} is required`);
  const text = value.startsWith('@') ? await readFile(value.slice(1), 'utf8') : value;
  // Strict like every JSON Mandate reads: a duplicate key or a number that JSON.parse would
  // round (9007199254740993) is refused rather than signed or verified as something else.
  const problem = findJsonProblem(text);
  if (problem !== undefined) throw new Error(`--${label}: ${problem}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`--${label} must be JSON (or @file)`);
  }
}

async function keyPairFrom(value: string | undefined, label: string): Promise<KeyPair> {
  return keyPairOf((await readJsonArg(value, label)) as JWK);
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

const FORMATS: readonly Format[] = ['jws', 'biscuit', 'aat'];

function formatFrom(value: string | undefined): Format | undefined {
  if (value === undefined) return undefined;
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new Error(`--format takes ${FORMATS.join('|')}`);
  }
  return value as Format;
}

/** A non-negative whole number option (`--max-depth`, `--now`), or undefined when absent. */
function wholeArg(value: string | undefined, label: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^[0-9]{1,15}$/.test(value) || !Number.isSafeInteger(n)) {
    throw new Error(`--${label} takes a whole number`);
  }
  return n;
}

/**
 * `--caps` (capabilities) or `--tools` (an AAT tools map: tool name -> argument constraints,
 * one capability `tool:<name>` with the action `call` per tool); at most one of them.
 */
async function capabilitiesFrom(values: {
  readonly caps?: string;
  readonly tools?: string;
}): Promise<CapabilityInput[] | undefined> {
  if (values.caps !== undefined && values.tools !== undefined) {
    throw new Error('give --caps or --tools, not both');
  }
  if (values.caps !== undefined) {
    const caps = await readJsonArg(values.caps, 'caps');
    if (!Array.isArray(caps)) throw new Error('--caps must be a JSON array of capabilities');
    return caps as CapabilityInput[];
  }
  if (values.tools === undefined) return undefined;
  const tools = await readJsonArg(values.tools, 'tools');
  if (typeof tools !== 'object' || tools === null || Array.isArray(tools)) {
    throw new Error('--tools must be a JSON object: tool name -> argument constraints');
  }
  return Object.entries(tools as Record<string, unknown>).map(([tool, constraints]) => {
    if (typeof constraints !== 'object' || constraints === null || Array.isArray(constraints)) {
      throw new Error(`--tools: the constraints of ${JSON.stringify(tool)} must be an object`);
    }
    return {
      resource: toolResource(tool),
      actions: [TOOL_ACTION],
      ...(Object.keys(constraints).length === 0
        ? {}
        : { constraints: constraints as Readonly<Record<string, ConstraintInput>> }),
    };
  });
}

function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}

/** One block's capabilities for `inspect`; an AAT block's as its tools. */
function describeCapabilities(format: Format, capabilities: readonly Capability[]): string {
  if (capabilities.length === 0) {
    return format === 'aat' ? '  no tools (an empty capability set)\n' : '  no capabilities\n';
  }
  return capabilities
    .map((c) => {
      const where =
        c.constraints === undefined || Object.keys(c.constraints).length === 0
          ? ''
          : ` where ${JSON.stringify(c.constraints)}`;
      const tool = format === 'aat' ? toolFromResource(c.resource) : undefined;
      if (tool !== undefined && c.actions.length === 1 && c.actions[0] === TOOL_ACTION) {
        return `  tool ${JSON.stringify(tool)}${where === '' ? ' (any arguments)' : where}\n`;
      }
      return `  may ${c.actions.join(',')} on ${c.resource}${where}\n`;
    })
    .join('');
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
      tools: { type: 'string' },
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
      framework: { type: 'string' },
      redis: { type: 'string' },
      'redis-cluster': { type: 'string' },
      'list-state': { type: 'string' },
      prefix: { type: 'string' },
      'expires-at': { type: 'string' },
      nonce: { type: 'string' },
      now: { type: 'string' },
      'clock-tolerance': { type: 'string' },
      'proof-window': { type: 'string' },
      'no-require-audience': { type: 'boolean' },
      'require-pop-audience': { type: 'boolean' },
      'max-iat-skew': { type: 'string' },
      'max-lifetime': { type: 'string' },
      port: { type: 'string' },
    },
  });
  const format = formatFrom(values.format) ?? 'jws';
  const now = wholeArg(values.now, 'now');
  const maxDepth = wholeArg(values['max-depth'], 'max-depth');
  switch (command) {
    case 'demo':
      if (values.framework !== undefined) {
        // Loaded only here: each framework is an optional peer.
        const { isFramework, runFrameworkDemo } = await import('./framework-demo/index.js');
        if (!isFramework(values.framework))
          throw new Error('--framework: ai, langchain or openai-agents');
        return runFrameworkDemo(values.framework);
      }
      if (values.processes === true) {
        // Loaded only here: the process demo needs the optional A2A / MCP peers.
        const { printProcessDemo } = await import('./processes/run.js');
        return printProcessDemo(values.redis === undefined ? {} : { redisUrl: values.redis });
      }
      if (format === 'aat') throw new Error('demo runs the jws and biscuit formats');
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
      const capabilities = await capabilitiesFrom(values);
      if (capabilities === undefined) throw new Error('mint needs --caps or --tools');
      const mandate = await mint({
        issuer: await keyPairFrom(values.issuer, 'issuer'),
        ...(values['issuer-id'] === undefined ? {} : { issuerId: values['issuer-id'] }),
        // An AAT root has no subject: only pass one when given (mint says which format needs it).
        ...(values.subject === undefined && format === 'aat'
          ? {}
          : { subject: values.subject ?? '' }),
        holder: (await readJsonArg(values.holder, 'holder')) as JWK,
        capabilities,
        expiresIn: values.expires ?? '15m',
        ...(values.audience === undefined ? {} : { audience: values.audience }),
        ...(maxDepth === undefined ? {} : { maxDepth }),
        ...(now === undefined ? {} : { now }),
        format,
      });
      process.stdout.write(`${mandate.token}\n`);
      return 0;
    }
    case 'delegate': {
      if (values.format !== undefined) {
        throw new Error("delegate keeps the mandate's format: drop --format");
      }
      const capabilities = await capabilitiesFrom(values);
      const mandate = await delegate(values.mandate ?? '', {
        signer: await keyPairFrom(values.signer, 'signer'),
        holder: (await readJsonArg(values.holder, 'holder')) as JWK,
        ...(capabilities === undefined ? {} : { capabilities }),
        ...(values.expires === undefined ? {} : { expiresIn: values.expires }),
        ...(values.audience === undefined ? {} : { audience: values.audience }),
        ...(maxDepth === undefined ? {} : { maxDepth }),
        ...(now === undefined ? {} : { now }),
      });
      process.stdout.write(`${mandate.token}\n`);
      return 0;
    }
    case 'prove': {
      const proof = await prove(values.mandate ?? '', {
        signer: await keyPairFrom(values.signer, 'signer'),
        request: await requestFrom(values),
        ...(values.nonce === undefined ? {} : { nonce: values.nonce }),
        ...(values.audience === undefined ? {} : { audience: values.audience }),
        ...(now === undefined ? {} : { now }),
      });
      process.stdout.write(`${proof}\n`);
      return 0;
    }
    case 'inspect': {
      const token = positionals[0] ?? values.mandate;
      if (token === undefined) throw new Error('inspect needs a token');
      const mandate = await parseMandate(token);
      // The public view has no encoding-specific fields: a Biscuit block's revocation id (which a
      // verifier also looks up, so `revoke` takes either id) comes from the decoder.
      const decoded = mandate.format === 'biscuit' ? await decodeChain(token) : [];
      process.stdout.write('NOT VERIFIED: decoded only, nothing about this mandate is checked.\n');
      process.stdout.write(
        mandate.format === 'aat'
          ? 'format: aat (draft-niyikiza-oauth-attenuating-agent-tokens-02)\n' +
              `subject: none in AAT; the authority is the root issuer's own grant (${mandate.subject})\n`
          : `format: ${mandate.format}\nsubject: ${mandate.subject}\n`,
      );
      for (const [hop, block] of mandate.blocks.entries()) {
        const revocationId = decoded[hop]?.revocationId;
        process.stdout.write(
          `\nblock ${hop}  id ${block.id}\n` +
            (revocationId === undefined ? '' : `  revocation id ${revocationId}\n`) +
            `  issuer  ${block.issuer}\n  holder  ${block.holder}\n` +
            `  issued  ${isoTime(block.issuedAt)}  expires ${isoTime(block.expiresAt)}` +
            `  depth ${block.depth}/${block.maxDepth}` +
            `${block.audience === undefined ? '' : `  audience ${block.audience.join(', ')}`}\n` +
            describeCapabilities(mandate.format, block.capabilities),
        );
      }
      return 0;
    }
    case 'inspector': {
      const port = wholeArg(values.port, 'port');
      if (port !== undefined && port > 65535) throw new Error('--port takes 0 to 65535');
      // Loaded only here: no other command needs the HTTP server or the page.
      const { runInspector } = await import('./inspector/server.js');
      return runInspector(port);
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
        requireAudience: values['no-require-audience'] !== true,
        requirePopAudience: values['require-pop-audience'] === true,
        ...(values['clock-tolerance'] === undefined
          ? {}
          : { clockTolerance: values['clock-tolerance'] }),
        ...(values['proof-window'] === undefined ? {} : { proofWindow: values['proof-window'] }),
        ...(values.nonce === undefined ? {} : { nonce: values.nonce }),
        ...(maxDepth === undefined ? {} : { maxDelegationDepth: maxDepth }),
        ...(values['max-iat-skew'] === undefined ? {} : { maxIatSkew: values['max-iat-skew'] }),
        ...(values['max-lifetime'] === undefined
          ? {}
          : { maxTokenLifetime: values['max-lifetime'] }),
        ...(now === undefined ? {} : { clock: () => now }),
      });
      // A tool call's action may be left out: the verifier derives it from the call.
      if (values.action === undefined && values.tool === undefined) {
        throw new Error('verify needs --action (or --tool and --args for a tool call)');
      }
      const request =
        values.proof !== undefined || values.tool !== undefined
          ? await requestFrom(values)
          : undefined;
      const decision = await verifier.verify(values.mandate ?? '', {
        ...(values.action === undefined
          ? {}
          : { action: (await readJsonArg(values.action, 'action')) as Action }),
        ...(values.proof === undefined ? {} : { proof: values.proof }),
        ...(request === undefined ? {} : { request }),
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

/** `mandate revoke`: its logic (and every store it may load) lives in `revoke.ts`. */
async function revoke(positionals: readonly string[], values: RevokeValues): Promise<number> {
  const { runRevoke } = await import('./revoke.js');
  return runRevoke(positionals, values);
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
