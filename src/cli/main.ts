#!/usr/bin/env node
/**
 * The `mandate` command: one module per subcommand (`commands/`), each with its own strict
 * options and help. Exit codes: 0 done (or allowed), 1 a demo scenario surprised, 2 a usage
 * or input error, 3 denied (`verify`).
 */
import { readFileSync } from 'node:fs';
import { COMMANDS } from './commands/index.js';
import { helpFor, parseCommandLine, UsageError, type Command } from './command.js';

function version(): string {
  // dist/cli/main.js and src/cli/main.ts both sit two folders below package.json.
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: mandate <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'mandate <command> --help shows its options and a worked example.',
    'Every token, proof, key and JSON option takes the value, @file, or - (stdin).',
    'mandate --version prints the version.',
  ].join('\n');
}

function commandNamed(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (first === 'help') {
    const command = rest[0] === undefined ? undefined : commandNamed(rest[0]);
    process.stdout.write(`${command === undefined ? usage() : helpFor(command)}\n`);
    return 0;
  }
  const command = commandNamed(first);
  if (command === undefined) {
    throw new UsageError(
      `unknown command ${JSON.stringify(first)}; expected one of ${COMMANDS.map((c) => c.name).join(', ')} (see mandate --help)`,
    );
  }
  const args = parseCommandLine(command, rest);
  if (args === 'help') {
    process.stdout.write(`${helpFor(command)}\n`);
    return 0;
  }
  return command.run(args);
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
