/**
 * Every name the package exports — from the main entry point and from each sub-path of the
 * `exports` map — carries TSDoc (the hover text users see), and so does every public method
 * of an exported class.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  exports: Record<string, { types?: string } | string>;
};

/** `./dist/x/index.d.ts` -> `src/x/index.ts`, for each entry of the exports map. */
const entries = Object.entries(manifest.exports).flatMap(([entry, target]) =>
  typeof target === 'object' && target.types !== undefined
    ? [[entry, target.types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts')] as const]
    : [],
);

function undocumented(): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile('tsconfig.json', undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => undefined,
  });
  if (parsed === undefined) throw new Error('tsconfig.json could not be read');
  const program = ts.createProgram(
    entries.map(([, file]) => file),
    parsed.options,
  );
  const checker = program.getTypeChecker();
  const doc = (symbol: ts.Symbol): string =>
    ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const missing: string[] = [];
  for (const [entry, file] of entries) {
    const source = program.getSourceFile(file);
    const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (module === undefined) {
      missing.push(`${entry}: ${file} not found`);
      continue;
    }
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (doc(symbol) === '') missing.push(`${entry}: ${exported.name}`);
      if (!(symbol.flags & ts.SymbolFlags.Class)) continue;
      for (const declaration of symbol.declarations ?? []) {
        if (!ts.isClassDeclaration(declaration)) continue;
        for (const member of declaration.members) {
          if (!ts.isMethodDeclaration(member) || ts.isPrivateIdentifier(member.name)) continue;
          const flags = ts.getCombinedModifierFlags(member);
          if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
          const method = checker.getSymbolAtLocation(member.name);
          if (method !== undefined && doc(method) === '') {
            missing.push(`${entry}: ${exported.name}.${member.name.getText()}`);
          }
        }
      }
    }
  }
  return missing;
}

describe('TSDoc on the public API', () => {
  it('every export of every entry point, and every public method, is documented', () => {
    expect(entries.length).toBeGreaterThanOrEqual(9);
    expect(undocumented()).toEqual([]);
  }, 60_000);
});
