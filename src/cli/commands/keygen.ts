/** `mandate keygen`: a new key pair, written where `--holder @file` and `--issuer @file` read it. */
import { writeFile } from 'node:fs/promises';
import { generateKeyPair } from '../../identity/keys.js';
import { UsageError, type Command } from '../command.js';

const ALGORITHMS = ['Ed25519', 'ES256'] as const;

/** Writes `text` to a new file (private keys readable by the owner only); never overwrites. */
async function writeNew(path: string, text: string, mode: number, label: string): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx', mode });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(
      code === 'EEXIST'
        ? `${label} ${path}: the file exists; keygen never overwrites a key (remove it or choose another path)`
        : `${label} ${path}: cannot write it (${code ?? (error as Error).message})`,
      { cause: error },
    );
  }
}

export const keygen: Command = {
  name: 'keygen',
  summary: 'Make a new key pair (Ed25519 by default): a private JWK and its public JWK.',
  synopsis: '[--alg Ed25519|ES256] [--out FILE] [--public-out FILE]',
  options: {
    alg: { type: 'string', value: 'ALG', help: 'Ed25519 (the default) or ES256' },
    out: {
      type: 'string',
      value: 'FILE',
      help: 'write the private JWK to FILE (mode 600); the public JWK then goes to stdout',
    },
    'public-out': { type: 'string', value: 'FILE', help: 'write the public JWK to FILE' },
  },
  description:
    'Each key is one line of JSON, the form every key option reads (--issuer @FILE, --holder @FILE).\n' +
    'stdout carries one key: the public JWK when --out is given, else the private JWK.\n' +
    'keygen never overwrites a file.',
  example:
    'mandate keygen --out agent.jwk --public-out agent.pub.jwk\n' +
    'mandate mint --issuer @as.jwk --holder @agent.pub.jwk --subject alice \\\n' +
    '  --caps \'[{"resource":"billing:invoices/*","actions":["read"]}]\' --expires 15m',
  async run(args) {
    const alg = args.string('alg') ?? 'Ed25519';
    if (!(ALGORITHMS as readonly string[]).includes(alg)) {
      throw new UsageError(`--alg is ${JSON.stringify(alg)}; expected ${ALGORITHMS.join(' or ')}`);
    }
    const pair = await generateKeyPair(alg as (typeof ALGORITHMS)[number]);
    const { exportJWK } = await import('jose');
    const privateText = `${JSON.stringify(await exportJWK(pair.privateKey as never))}\n`;
    const publicText = `${JSON.stringify(pair.publicJwk)}\n`;
    const out = args.string('out');
    const publicOut = args.string('public-out');
    if (out !== undefined && out === publicOut) {
      throw new UsageError('--out and --public-out name the same file');
    }
    if (out !== undefined) await writeNew(out, privateText, 0o600, '--out');
    if (publicOut !== undefined) await writeNew(publicOut, publicText, 0o644, '--public-out');
    if (out === undefined) {
      process.stdout.write(privateText);
      if (publicOut === undefined) {
        process.stderr.write(
          'note: the public key was not written; give --public-out FILE (or --out FILE to get it on stdout)\n',
        );
      }
    } else if (publicOut === undefined) {
      process.stdout.write(publicText);
    }
    return 0;
  },
};
