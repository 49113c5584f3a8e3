import * as path from 'path';
import * as ts from 'typescript';

/*
 * The shapes jsii refuses, checked with the TypeScript type checker over the edge constructs'
 * exported interfaces and classes: an interface extending anything but plain interfaces (`Omit<>`,
 * `Pick<>`, intersections), a sub-interface re-declaring a member of its base, and a class member
 * narrowing the type of the interface member it implements (optional made required).
 */

const EDGE_DIR = path.join(__dirname, '..', '..', 'lib', 'edge');
const program = ts.createProgram([path.join(__dirname, '..', '..', 'lib', 'index.ts')], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS });
const checker = program.getTypeChecker();
const edgeFiles = program.getSourceFiles().filter((f) => f.fileName.startsWith(EDGE_DIR));

function exported<T extends ts.Node>(guard: (n: ts.Node) => n is T): T[] {
  return edgeFiles.flatMap((f) => f.statements.filter((s): s is ts.Statement & T => guard(s)))
    .filter((n) => (ts.getCombinedModifierFlags(n as unknown as ts.Declaration) & ts.ModifierFlags.Export) !== 0);
}

/** Every jsii shape problem of the exported edge interfaces and classes. */
function jsiiShapeProblems(): string[] {
  const problems: string[] = [];
  for (const iface of exported(ts.isInterfaceDeclaration)) {
    const own = new Set(iface.members.map((m) => m.name?.getText()));
    for (const clause of iface.heritageClauses ?? []) {
      for (const base of clause.types) {
        if (base.typeArguments?.length || !ts.isIdentifier(base.expression) && !ts.isPropertyAccessExpression(base.expression)) {
          problems.push(`${iface.name.text} extends ${base.getText()} (not a plain interface)`);
          continue;
        }
        for (const prop of checker.getTypeAtLocation(base).getProperties()) {
          if (own.has(prop.name)) problems.push(`${iface.name.text} re-declares ${prop.name} of ${base.getText()}`);
        }
      }
    }
  }
  for (const cls of exported(ts.isClassDeclaration)) {
    for (const clause of cls.heritageClauses?.filter((c) => c.token === ts.SyntaxKind.ImplementsKeyword) ?? []) {
      for (const base of clause.types) {
        for (const prop of checker.getTypeAtLocation(base).getProperties()) {
          const member = cls.members.find((m) => m.name?.getText() === prop.name);
          const optionalInInterface = (prop.flags & ts.SymbolFlags.Optional) !== 0;
          const optionalInClass = member && ts.isPropertyDeclaration(member) && member.questionToken !== undefined;
          if (member && ts.isPropertyDeclaration(member) && optionalInInterface && !optionalInClass) {
            problems.push(`${cls.name?.text}.${prop.name} is required but optional in ${base.getText()}`);
          }
        }
      }
    }
  }
  return problems;
}

describe('jsii shapes of the edge constructs', () => {
  test('the edge files are found', () => {
    expect(edgeFiles.map((f) => path.basename(f.fileName))).toEqual(expect.arrayContaining(['waf-protected-alb.ts', 'edge-web-acl.ts', 'public-instance-ip-blocking.ts']));
  });

  test('no Omit<>/Pick<> bases, no re-declared members, no narrowed interface members', () => {
    expect(jsiiShapeProblems()).toEqual([]);
  });
});
