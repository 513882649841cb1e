/**
 * ESLint rule `mandate/one-way-imports`: DESIGN.md section 7's layering. Under `root`, the
 * folders are layers in order; a module imports only its own folder and the folders before
 * it (the first imports only itself). A module directly under `root` (an entry point) may
 * import any layer. Every relative import, re-export, dynamic `import()` and `import('…')`
 * type is checked; package imports are not. A folder missing from `layers` is reported too,
 * so a new folder must be placed in the order before anything can import it.
 *
 * Options: `{ root: 'src', layers: ['core', 'identity', …], allow: [{ from, to, why }] }`,
 * where `allow` lists known exceptions: `from` a layer, `to` a path under `root`.
 */
import path from 'node:path';

/** @type {import('eslint').Rule.RuleModule} */
export const oneWayImports = {
  meta: {
    type: 'problem',
    docs: { description: 'imports run one way down the layer list (DESIGN.md section 7)' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: { type: 'array', items: { type: 'string' }, minItems: 1 },
          allow: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                from: { type: 'string' },
                to: { type: 'string' },
                why: { type: 'string' },
              },
              required: ['from', 'to', 'why'],
              additionalProperties: false,
            },
          },
        },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      backEdge:
        "'{{from}}/' may not import '{{to}}/' ({{target}}): imports run one way, {{order}} (DESIGN.md section 7)",
      unknownLayer: "folder '{{layer}}/' is not in the layer list: place it in eslint.config.js",
    },
  },
  create(context) {
    const [{ root, layers, allow = [] }] = context.options;
    const rootDir = path.resolve(context.cwd, root);
    const relative = (file) => path.relative(rootDir, file).split(path.sep);
    const parts = relative(context.filename);
    // Outside the root, or an entry point directly under it: nothing to check.
    if (parts[0] === '..' || path.isAbsolute(parts[0]) || parts.length < 2) return {};
    const from = parts[0];
    const fromIndex = layers.indexOf(from);
    const order = layers.join(' → ');

    function check(node, source) {
      if (source === null || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const specifier = source.value;
      if (!specifier.startsWith('.')) return;
      const target = path.resolve(path.dirname(context.filename), specifier);
      const targetParts = relative(target);
      if (targetParts[0] === '..' || targetParts.length < 2) return;
      const to = targetParts[0];
      if (to === from) return;
      const toIndex = layers.indexOf(to);
      if (toIndex === -1) {
        context.report({ node, messageId: 'unknownLayer', data: { layer: to } });
        return;
      }
      if (toIndex < fromIndex) return;
      // `to` names the module as written (.js for a .ts source), relative to the root.
      const targetPath = targetParts.join('/');
      if (allow.some((exception) => exception.from === from && exception.to === targetPath)) return;
      context.report({
        node,
        messageId: 'backEdge',
        data: { from, to, target: targetPath, order },
      });
    }

    if (fromIndex === -1) {
      return {
        Program(node) {
          context.report({ node, messageId: 'unknownLayer', data: { layer: from } });
        },
      };
    }
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      // typescript-eslint 8 names the specifier `source` (`argument.literal` before).
      TSImportType: (node) => check(node, node.source ?? node.argument?.literal ?? null),
    };
  },
};

/** The local plugin: `plugins: { mandate: plugin }`. */
export default { rules: { 'one-way-imports': oneWayImports } };
