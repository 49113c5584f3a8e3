import * as path from 'path';
import * as ts from 'typescript';

/*
 * The shapes jsii refuses, checked with the TypeScript type checker over the edge constructs'
 * exported interfaces and classes: an interface extending anything but plain interfaces (`Omit<>`,
 * `Pick<>`, intersections), a sub-interface re-declaring a member of its base, and a class member
 * narrowing the type of the interface member it implements (optional made required). And, over every
 * class of the package, a base class jsii can neither reference nor erase.
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

/**
 * Base classes of the classes `index` exports that jsii cannot handle: jsii references a base the
 * package exports and erases (copies the members of) one that its module does not export or that
 * carries `@jsii ignore`; a base exported from a module the package does not export (`lib/private`)
 * without the directive is neither, and jsii fails. Bases from dependencies (`.d.ts`) are references.
 */
function unerasableBases(prog: ts.Program, index: string): string[] {
  const check = prog.getTypeChecker();
  const resolve = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? check.getAliasedSymbol(s) : s);
  const listed = new Set(check.getExportsOfModule(check.getSymbolAtLocation(prog.getSourceFile(index)!)!).map(resolve));
  const problems: string[] = [];
  for (const symbol of listed) {
    let cls = symbol.declarations?.find(ts.isClassDeclaration);
    while (cls) {
      const base = cls.heritageClauses?.find((c) => c.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
      const baseSymbol = base && check.getSymbolAtLocation(base.expression);
      const baseClass = baseSymbol && resolve(baseSymbol).declarations?.find(ts.isClassDeclaration);
      if (!baseClass || baseClass.getSourceFile().isDeclarationFile) break;
      const exportedFromModule = (ts.getCombinedModifierFlags(baseClass) & ts.ModifierFlags.Export) !== 0;
      const ignored = ts.getJSDocTags(baseClass).some((t) => t.tagName.text === 'jsii' && ts.getTextOfJSDocComment(t.comment)?.trim() === 'ignore');
      if (!listed.has(resolve(baseSymbol)) && exportedFromModule && !ignored) {
        problems.push(`${symbol.name} extends ${baseClass.name?.text}, which ${path.basename(baseClass.getSourceFile().fileName)} exports but the package does not: add /** @jsii ignore */ to it (or export it from the package)`);
      }
      cls = baseClass;
    }
  }
  return problems;
}

/** A program over in-memory files (path -> text) rooted at `/v/index.ts`. */
function virtualProgram(files: Record<string, string>): ts.Program {
  const options = { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, noLib: true, types: [] };
  const host = ts.createCompilerHost(options);
  host.fileExists = (f) => f in files;
  host.readFile = (f) => files[f];
  host.directoryExists = (d) => Object.keys(files).some((f) => f.startsWith(`${d}/`));
  host.getSourceFile = (f, lang) => (f in files ? ts.createSourceFile(f, files[f], lang, true) : undefined);
  return ts.createProgram(['/v/index.ts'], options, host);
}

describe('jsii shapes of the edge constructs', () => {
  test('the edge files are found', () => {
    expect(edgeFiles.map((f) => path.basename(f.fileName))).toEqual(expect.arrayContaining(['waf-protected-alb.ts', 'edge-web-acl.ts', 'public-instance-ip-blocking.ts']));
  });

  test('no Omit<>/Pick<> bases, no re-declared members, no narrowed interface members', () => {
    expect(jsiiShapeProblems()).toEqual([]);
  });

  test('every base class of an exported class is exported from the package or erased by jsii', () => {
    expect(unerasableBases(program, path.join(__dirname, '..', '..', 'lib', 'index.ts'))).toEqual([]);
  });

  test('the base class check finds a base exported from a private module without @jsii ignore', () => {
    const files = (directive: string) => ({
      '/v/index.ts': "export * from './a';\n",
      '/v/a.ts': "import { Base } from './private/base';\nexport class A extends Base {}\n",
      '/v/private/base.ts': `${directive}export abstract class Base {}\n`,
    });
    expect(unerasableBases(virtualProgram(files('')), '/v/index.ts'))
      .toEqual(['A extends Base, which base.ts exports but the package does not: add /** @jsii ignore */ to it (or export it from the package)']);
    expect(unerasableBases(virtualProgram(files('/** @jsii ignore */\n')), '/v/index.ts')).toEqual([]);
  });
});
