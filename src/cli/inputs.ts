/**
 * How the CLI reads its inputs. Every token, proof, key and JSON option takes the value
 * itself, `@file` (read from that file) or `-` (read from stdin, for one option per run).
 * Every failure names the option, what it expected and, where it helps, what to do.
 */
import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import type {
  CapabilityInput,
  ConstraintInput,
  Format,
  KeyPair,
  ProofRequest,
} from '../core/types.js';
import { TOOL_ACTION, toolResource } from '../format/aat/claims.js';
import { findJsonProblem } from '../core/json-text.js';
import { keyPairOf } from './processes/common.js';
import { UsageError } from './command.js';
import type { Args } from './command.js';

/** The option that has read stdin in this run (stdin can be read once). */
let stdinOwner: string | undefined;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a folder',
};

/** The text of an option: the value, `@file`'s contents or stdin's (`-`). */
export async function textInput(value: string, label: string): Promise<string> {
  if (value === '-') {
    if (stdinOwner !== undefined) {
      throw new UsageError(
        `${label} - : stdin is already read by ${stdinOwner}; give one of them as @file`,
      );
    }
    stdinOwner = label;
    return readStdin();
  }
  if (!value.startsWith('@')) return value;
  const path = value.slice(1);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    throw new UsageError(`${label} ${value}: cannot read ${path} (${FILE_ERRORS[code] ?? code})`, {
      cause: error,
    });
  }
}

/** A token or proof: the text without surrounding whitespace (a file's final newline). */
export async function tokenInput(value: string, label: string): Promise<string> {
  const text = (await textInput(value, label)).trim();
  if (text === '') throw new UsageError(`${label} is empty (expected a token)`);
  return text;
}

/** A JSON option; `expected` says what the JSON must be. */
export async function jsonInput(value: string, label: string, expected: string): Promise<unknown> {
  const text = await textInput(value, label);
  // Strict like every JSON Mandate reads: a duplicate key or a number that JSON.parse would
  // round (9007199254740993) is refused rather than signed or verified as something else.
  const problem = findJsonProblem(text);
  if (problem !== undefined) throw new UsageError(`${label}: ${problem}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(
      `${label} must be ${expected} as JSON (or @file, or - for stdin): ${(error as Error).message}`,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JWK option: a JSON object with `kty`. */
async function jwkInput(value: string, label: string, what: string): Promise<JWK> {
  const jwk = await jsonInput(value, label, what);
  if (!isObject(jwk) || typeof jwk['kty'] !== 'string') {
    throw new UsageError(`${label} must be ${what} (a JSON object with "kty")`);
  }
  if (jwk['kty'] === 'oct') {
    throw new UsageError(
      `${label} is a symmetric (oct) key: Mandate signs with Ed25519 or ES256 (P-256) keys; ` +
        'make one with mandate keygen',
    );
  }
  return jwk;
}

/**
 * A private key (`--issuer`, `--signer`). A public key here says so: signing needs the
 * private one.
 */
export async function privateKeyInput(value: string, label: string): Promise<KeyPair> {
  const jwk = await jwkInput(value, label, 'a private JWK');
  if (jwk.d === undefined) {
    throw new UsageError(
      `${label} is a public key (it has no "d"): signing needs the private key, ` +
        'e.g. the file that mandate keygen --out wrote',
    );
  }
  try {
    return await keyPairOf(jwk);
  } catch (error) {
    throw new UsageError(`${label} is not a usable private JWK: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * A public key (`--holder`, an anchor's key). A private key here is refused: it must not
 * travel to whoever receives the mandate.
 */
export async function publicKeyInput(value: string, label: string): Promise<JWK> {
  const jwk = await jwkInput(value, label, 'a public JWK');
  if (jwk.d !== undefined) {
    throw new UsageError(
      `${label} is a private key (it has "d"): give its public part instead ` +
        '(mandate keygen --public-out FILE writes it)',
    );
  }
  return jwk;
}

/** The formats a mandate may be minted in. */
export const FORMATS: readonly Format[] = ['jws', 'biscuit', 'aat'];

/** `--format`, or undefined when absent. */
export function formatInput(value: string | undefined): Format | undefined {
  if (value === undefined) return undefined;
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--format is ${JSON.stringify(value)}; expected ${FORMATS.join(', ')}`);
  }
  return value as Format;
}

/** A non-negative whole number option (`--max-depth`, `--now`), or undefined when absent. */
export function wholeInput(value: string | undefined, label: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^[0-9]{1,15}$/.test(value) || !Number.isSafeInteger(n)) {
    throw new UsageError(`${label} is ${JSON.stringify(value)}; expected a whole number`);
  }
  return n;
}

/**
 * `--caps` (capabilities) or `--tools` (an AAT tools map: tool name -> argument constraints,
 * one capability `tool:<name>` with the action `call` per tool); at most one of them.
 */
export async function capabilitiesInput(args: Args): Promise<CapabilityInput[] | undefined> {
  const capsArg = args.string('caps');
  const toolsArg = args.string('tools');
  if (capsArg !== undefined && toolsArg !== undefined) {
    throw new UsageError('give --caps or --tools, not both');
  }
  if (capsArg !== undefined) {
    const caps = await jsonInput(capsArg, '--caps', 'an array of capabilities');
    if (!Array.isArray(caps)) {
      throw new UsageError(
        '--caps must be a JSON array of capabilities, e.g. ' +
          '[{"resource":"billing:invoices/*","actions":["read"]}]',
      );
    }
    return caps as CapabilityInput[];
  }
  if (toolsArg === undefined) return undefined;
  const tools = await jsonInput(toolsArg, '--tools', 'an AAT tools map');
  if (!isObject(tools)) {
    throw new UsageError('--tools must be a JSON object: tool name -> argument constraints');
  }
  return Object.entries(tools).map(([tool, constraints]) => {
    if (!isObject(constraints)) {
      throw new UsageError(`--tools: the constraints of ${JSON.stringify(tool)} must be an object`);
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

/** The request a proof is bound to: `--method` and `--url`, or `--tool` and `--args`. */
export async function requestInput(args: Args): Promise<ProofRequest> {
  const tool = args.string('tool');
  if (tool !== undefined) {
    const argsText = args.string('args');
    const toolArgs =
      argsText === undefined ? {} : await jsonInput(argsText, '--args', 'an object of arguments');
    if (!isObject(toolArgs)) throw new UsageError('--args must be a JSON object of arguments');
    return { tool, args: toolArgs as never };
  }
  const method = args.string('method');
  const url = args.string('url');
  if (method !== undefined && url !== undefined) return { method, url };
  throw new UsageError('a request needs --method and --url, or --tool (and --args)');
}

/** What `missing` reports for a request: nothing, or the options still needed. */
export function missingRequest(args: Args): readonly string[] {
  if (args.has('tool')) return [];
  if (args.has('method') && !args.has('url')) return ['--url'];
  if (args.has('url') && !args.has('method')) return ['--method'];
  if (args.has('method')) return [];
  return ['--method and --url (or --tool and --args)'];
}
