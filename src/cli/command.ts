/**
 * What a `mandate` subcommand is: a name, its own strict option table, its help (with a worked
 * example) and its `run`. The command line is checked against the table before anything runs:
 * an option the command does not take, an option without its value, a missing required option
 * and a stray positional are all reported at once, as one coded usage error.
 */
import { parseArgs } from 'node:util';

/** One option of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** May be given more than once (`--anchor`). */
  readonly multiple?: boolean;
  /** The placeholder in help (`KEY`, `URL`); strings only. */
  readonly value?: string;
  /** One line of help. */
  readonly help: string;
  /** Must be given (a missing one is named in the usage error with every other). */
  readonly required?: boolean;
}

/** A command's options by name (without the leading `--`). */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The checked command line of one command. */
export class Args {
  constructor(
    private readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>,
    /** The positional arguments, in order. */
    readonly positionals: readonly string[],
  ) {}

  /** A string option's value, or undefined when absent. */
  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** Every value of a repeatable option. */
  strings(name: string): readonly string[] {
    const value = this.values[name];
    return Array.isArray(value) ? value : [];
  }

  /** True when a boolean option was given. */
  flag(name: string): boolean {
    return this.values[name] === true;
  }

  /** True when the option was given at all. */
  has(name: string): boolean {
    return this.values[name] !== undefined;
  }
}

/** One `mandate` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The synopsis after `mandate <name>`, e.g. `--issuer KEY --holder PUBJWK ...`. */
  readonly synopsis: string;
  readonly options: OptionTable;
  /** The positional arguments it takes (none when absent). */
  readonly positionals?: { readonly name: string; readonly min: number; readonly max: number };
  /** Paragraphs after the option list: what the command does and does not do. */
  readonly description: string;
  /** A worked example (shell lines). */
  readonly example: string;
  /**
   * What is missing beyond the `required` options, given what was passed: alternatives
   * (`--caps or --tools`) and options required by another's value. Each entry names options.
   */
  readonly missing?: (args: Args) => readonly string[];
  /** Runs the command; resolves the exit code. */
  run(args: Args): Promise<number>;
}

/**
 * A command line that does not fit the command: exit code 2, code `MANDATE_USAGE`. The
 * message names every problem found (not only the first) and where the help is.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'MANDATE_USAGE';
}

/** Options every command takes. */
const COMMON: OptionTable = {
  help: { type: 'boolean', help: 'show this help' },
};

function joinAll(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/** The options a command takes, with `--help`. */
function tableOf(command: Command): OptionTable {
  return { ...command.options, ...COMMON };
}

/**
 * Checks `argv` (the words after the command name) against the command's table. Resolves the
 * arguments, `'help'` when help was asked for, or throws one {@link UsageError} naming every
 * problem.
 */
export function parseCommandLine(command: Command, argv: readonly string[]): Args | 'help' {
  const table = tableOf(command);
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(table).map(([name, spec]) => [
        name,
        { type: spec.type, ...(spec.multiple === true ? { multiple: true } : {}) },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const problems: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.rawName === '-h' || token.name === 'help') {
      help = true;
      continue;
    }
    const spec = table[token.name];
    if (spec === undefined || token.rawName !== `--${token.name}`) {
      problems.push(`mandate ${command.name} does not take ${token.rawName}`);
      continue;
    }
    if (spec.type === 'boolean') {
      if (token.value !== undefined) {
        problems.push(`${token.rawName} takes no value (got ${JSON.stringify(token.value)})`);
      } else {
        values[token.name] = true;
      }
      continue;
    }
    // A string option followed by another option has no value: `--mandate --anchor x` must
    // not read "--anchor" as the mandate.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      problems.push(
        `${token.rawName} needs a value${spec.value === undefined ? '' : ` (${spec.value})`}`,
      );
      continue;
    }
    if (spec.multiple === true) {
      const list = values[token.name];
      values[token.name] = [...(Array.isArray(list) ? list : []), token.value];
    } else if (values[token.name] !== undefined) {
      problems.push(`${token.rawName} is given twice`);
    } else {
      values[token.name] = token.value;
    }
  }
  if (help) return 'help';
  const max = command.positionals?.max ?? 0;
  if (positionals.length > max) {
    const extra = positionals.slice(max).map((p) => JSON.stringify(p));
    problems.push(
      max === 0
        ? `mandate ${command.name} takes no positional arguments (got ${extra.join(' ')})`
        : `mandate ${command.name} takes at most ${max} ${command.positionals?.name ?? ''} (extra: ${extra.join(' ')})`,
    );
  }
  const args = new Args(values, positionals);
  const missing = Object.entries(command.options)
    .filter(([name, spec]) => spec.required === true && !args.has(name))
    .map(([name, spec]) => `--${name}${spec.value === undefined ? '' : ` ${spec.value}`}`);
  if (positionals.length < (command.positionals?.min ?? 0)) {
    missing.unshift(command.positionals?.name ?? 'an argument');
  }
  missing.push(...(command.missing?.(args) ?? []));
  // An option already reported (given without its value) is not "missing" as well.
  const reported = missing.filter((m) => !problems.some((p) => p.startsWith(m.split(' ')[0] ?? m)));
  missing.length = 0;
  missing.push(...reported);
  if (missing.length > 0) problems.push(`missing ${joinAll(missing)}`);
  if (problems.length > 0) {
    throw new UsageError(
      `mandate ${command.name}: ${problems.join('; ')} (see mandate ${command.name} --help)`,
    );
  }
  return args;
}

/** The help text of one command: synopsis, options, description and the worked example. */
export function helpFor(command: Command): string {
  const rows = Object.entries(tableOf(command)).map(([name, spec]) => {
    const left = `  --${name}${spec.value === undefined ? '' : ` ${spec.value}`}${name === 'help' ? ', -h' : ''}`;
    const tags = [
      spec.required === true ? 'required' : '',
      spec.multiple === true ? 'repeatable' : '',
    ].filter((t) => t !== '');
    return `${left.padEnd(30)} ${spec.help}${tags.length === 0 ? '' : ` (${tags.join(', ')})`}`;
  });
  return [
    `usage: mandate ${command.name} ${command.synopsis}`,
    '',
    command.summary,
    '',
    'options:',
    ...rows,
    '',
    command.description,
    '',
    'example:',
    command.example
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
    '',
  ].join('\n');
}
