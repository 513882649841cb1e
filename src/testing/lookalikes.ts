/**
 * Look-alike names for the `confusables` attack mutator: ways a name can look like another
 * while being a different string (other scripts, fullwidth forms, combining marks, invisible and
 * bidi characters, case, decomposition).
 *
 * @module
 */
import { toolResource } from '../format/aat/claims.js';

/** Cyrillic letters drawn like Latin ones. */
const CYRILLIC: Readonly<Record<string, string>> = {
  a: '\u0430',
  e: '\u0435',
  o: '\u043e',
  c: '\u0441',
  p: '\u0440',
  x: '\u0445',
  i: '\u0456',
  s: '\u0455',
  y: '\u0443',
};

/** The ways a name can look like another (each gives a different string). */
export const LOOKALIKES: readonly (readonly [string, (s: string) => string])[] = [
  [
    'cyrillic',
    (s) => {
      const i = [...s].findIndex((ch) => CYRILLIC[ch] !== undefined);
      return i < 0 ? `\u0430${s}` : s.slice(0, i) + (CYRILLIC[s[i] ?? ''] ?? '') + s.slice(i + 1);
    },
  ],
  ['fullwidth', (s) => String.fromCharCode((s.charCodeAt(0) & 0x7f) + 0xfee0) + s.slice(1)],
  ['combining-mark', (s) => `${s.slice(0, 1)}\u0301${s.slice(1)}`],
  ['zero-width', (s) => `${s.slice(0, 1)}\u200b${s.slice(1)}`],
  ['bidi-override', (s) => `\u202e${s}`],
  ['upper-case', (s) => s.slice(0, 1).toUpperCase() + s.slice(1)],
  ['nfd', (s) => `${s}\u0065\u0301`.normalize('NFD')],
];

export function withScheme(resource: string, look: (s: string) => string): string {
  const colon = resource.indexOf(':');
  return `${look(resource.slice(0, colon))}${resource.slice(colon)}`;
}

/** `tool:name` with a look-alike tool name (the name percent-encoded as `toolResource` does). */
export function withToolName(resource: string, look: (s: string) => string): string {
  const name = decodeURIComponent(resource.slice(resource.indexOf(':') + 1));
  return toolResource(look(name));
}
