/**
 * What Mandate's vector files share: where they live, the clock and issuer their cases use,
 * and their exact text (2-space JSON and a final newline, so the suite can diff it).
 */
import { fileURLToPath } from 'node:url';

/** The verifier clock of every generated case, in seconds since the epoch. */
export const VECTOR_NOW = 1_800_000_000;
/** The trust anchor's issuer id in every generated file. */
export const VECTOR_ISSUER = 'https://as.vectors.mandate.test';

/** The absolute path of `test/vectors/<name>`. */
export function vectorPath(name: string): string {
  return fileURLToPath(new URL(`../test/vectors/${name}`, import.meta.url));
}

/** A vector file's exact text. */
export function renderVectors(file: object): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The header every vector file starts with; `P` names its test keys. */
export interface VectorFileHeader<P extends string> {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly generator: string;
  readonly algorithm: 'Ed25519';
  readonly keys: Readonly<Record<P, { seed: string; publicJwk: unknown; id: string }>>;
}
