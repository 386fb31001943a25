/**
 * The keys of a zod object schema written in a source file (core/config.ts's configSchema), with
 * the JSDoc comment above each: read with the TypeScript compiler, so that the configuration's
 * reference (docs/configuration.md) takes each key's meaning from the one place it is written.
 *
 * Shape: `configKeys(source, 'configSchema')` gives, in the order written,
 * `{ path: 'kafka', meaning: '…', object: true }, { path: 'kafka.brokers', meaning: '…', object: false }, …`:
 * a key whose schema is an object (`z.object({...})` at the root of its chain, `.extend({...})` along
 * it, through consts and one-expression arrow functions of the same file) comes before its own keys;
 * arrays and records of objects are single keys. `meaning` is the comment's text on one line, '' when
 * the key has no `/** ... *\/` comment.
 */
import ts from 'typescript';

/** One key of the schema: its dotted path as in the JSON config file, its JSDoc text, whether it holds keys of its own. */
export interface ConfigKey {
  path: string;
  meaning: string;
  object: boolean;
}

/** The keys of the schema `constName` declared in `source` (TypeScript text). */
export function configKeys(source: string, constName: string): ConfigKey[] {
  const file = ts.createSourceFile('schema.ts', source, ts.ScriptTarget.Latest, true);
  const consts = new Map<string, ts.Expression>();
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer) consts.set(d.name.text, d.initializer);
  }

  /** The object literals holding an object schema's keys; none for any other schema. */
  const literalsOf = (e: ts.Expression): ts.ObjectLiteralExpression[] => {
    if (ts.isParenthesizedExpression(e)) return literalsOf(e.expression);
    if (ts.isIdentifier(e)) {
      const init = consts.get(e.text);
      return init ? literalsOf(init) : [];
    }
    if (!ts.isCallExpression(e)) return [];
    const [callee, arg] = [e.expression, e.arguments[0]];
    const literal = arg && ts.isObjectLiteralExpression(arg) ? [arg] : [];
    if (ts.isIdentifier(callee)) {
      // A call of a one-expression arrow function of this file that builds the schema.
      const fn = consts.get(callee.text);
      return fn && ts.isArrowFunction(fn) && !ts.isBlock(fn.body) ? literalsOf(fn.body) : [];
    }
    if (!ts.isPropertyAccessExpression(callee)) return [];
    const method = callee.name.text;
    if (ts.isIdentifier(callee.expression) && callee.expression.text === 'z') return method === 'object' ? literal : [];
    const base = literalsOf(callee.expression);
    return method === 'extend' && base.length > 0 ? [...base, ...literal] : base;
  };

  /** The text of the last JSDoc comment before `node`, on one line. */
  const meaningOf = (node: ts.Node): string => {
    const ranges = ts.getLeadingCommentRanges(source, node.getFullStart()) ?? [];
    const doc = ranges.filter((r) => source.startsWith('/**', r.pos)).at(-1);
    if (!doc) return '';
    const lines = source.slice(doc.pos + 3, doc.end - 2).split('\n');
    return lines
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
  };

  const walk = (literals: readonly ts.ObjectLiteralExpression[], prefix: string): ConfigKey[] =>
    literals.flatMap((literal) =>
      literal.properties.flatMap((p) => {
        if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return [];
        const path = `${prefix}${p.name.text}`;
        const inner = literalsOf(p.initializer);
        return [{ path, meaning: meaningOf(p), object: inner.length > 0 }, ...walk(inner, `${path}.`)];
      }),
    );

  const root = consts.get(constName);
  const literals = root ? literalsOf(root) : [];
  if (literals.length === 0) throw new Error(`${constName}: no object schema of that name in the source`);
  return walk(literals, '');
}
