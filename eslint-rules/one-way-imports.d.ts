import type { ESLint, Rule } from 'eslint';

/** `mandate/one-way-imports` (eslint-rules/one-way-imports.js). */
export declare const oneWayImports: Rule.RuleModule;

/** The local plugin. */
declare const plugin: ESLint.Plugin;
export default plugin;
