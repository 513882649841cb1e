/**
 * Biscuit's symbol table (specification, "Symbols"): the default table (ids 0..27), then every
 * symbol the authority block and each later first-party block add, in order, from id 1024. A block
 * refers to strings (and variable names) by id; a later block reuses the ids of earlier blocks, so
 * Mandate's vocabulary (`issuer`, `capability`, ...) is spelled out once per token, in the
 * authority block.
 *
 * @module
 */
import { ProtobufError } from './protobuf.js';

/** Biscuit's default symbol table (specification, "Symbols"): ids 0..27. */
export const DEFAULT_SYMBOLS = [
  'read', 'write', 'resource', 'operation', 'right', 'time', 'role', 'owner', 'tenant', 'namespace',
  'user', 'team', 'service', 'admin', 'email', 'group', 'member', 'ip_address', 'client', 'client_ip',
  'domain', 'path', 'version', 'cluster', 'node', 'hostname', 'nonce', 'query',
] as const; // prettier-ignore

/** The id of a block's first own symbol. */
export const FIRST_BLOCK_SYMBOL = 1024;

const DEFAULT_IDS: ReadonlyMap<string, number> = new Map(DEFAULT_SYMBOLS.map((s, i) => [s, i]));

/**
 * The symbols a token has defined so far (immutable: {@link SymbolTable.extend} returns a new
 * table, so a decoded prefix can be cached and extended by different continuations).
 */
export class SymbolTable {
  readonly #parent: SymbolTable | undefined;
  /** The symbols this table adds to its parent's, by id (the initial table: the default ones). */
  readonly #ids: ReadonlyMap<string, number>;
  readonly #own: readonly string[];

  private constructor(
    parent: SymbolTable | undefined,
    ids: ReadonlyMap<string, number>,
    own: readonly string[],
  ) {
    this.#parent = parent;
    this.#ids = ids;
    this.#own = own;
  }

  /** The table before the authority block: the default symbols only. */
  static readonly initial = new SymbolTable(undefined, DEFAULT_IDS, []);

  /** The id of `symbol`, or undefined when the table does not hold it. */
  id(symbol: string): number | undefined {
    // A chain of at most one table per block: extending never copies the tables before it.
    return this.#ids.get(symbol) ?? this.#parent?.id(symbol);
  }

  /** The symbol of `id`; throws a `ProtobufError` for an id the table does not hold. */
  symbol(id: number): string {
    const value =
      id < FIRST_BLOCK_SYMBOL ? DEFAULT_SYMBOLS[id] : this.#own[id - FIRST_BLOCK_SYMBOL];
    if (value === undefined) throw new ProtobufError(`unknown symbol ${id}`);
    return value;
  }

  /** The id the next new symbol gets. */
  get nextId(): number {
    return FIRST_BLOCK_SYMBOL + this.#own.length;
  }

  /**
   * The table after a block that defines `symbols`. A symbol the table already holds, or one
   * repeated within the block, is refused (biscuit-auth refuses overlapping tables too).
   */
  extend(symbols: readonly string[]): SymbolTable {
    if (symbols.length === 0) return this;
    const ids = new Map<string, number>();
    let next = this.nextId;
    for (const symbol of symbols) {
      if (ids.has(symbol) || this.id(symbol) !== undefined) {
        throw new ProtobufError('a block redefines a symbol');
      }
      ids.set(symbol, next++);
    }
    return new SymbolTable(this, ids, [...this.#own, ...symbols]);
  }
}

/** Interns the strings one block writes: known ones by id, new ones appended in order. */
export class SymbolWriter {
  readonly #table: SymbolTable;
  readonly #added = new Map<string, number>();

  constructor(table: SymbolTable) {
    this.#table = table;
  }

  /** The id of `symbol`, adding it to this block's symbols when the table lacks it. */
  id(symbol: string): number {
    const known = this.#table.id(symbol) ?? this.#added.get(symbol);
    if (known !== undefined) return known;
    const id = this.#table.nextId + this.#added.size;
    this.#added.set(symbol, id);
    return id;
  }

  /** The symbols this block adds, in id order. */
  get added(): string[] {
    return [...this.#added.keys()];
  }
}
