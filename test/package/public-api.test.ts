import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as lib from '../../lib';

/**
 * The public API is what jsii can give Python, Java, .NET and Go: `lib/index.ts` exports classes,
 * enums and interfaces only (jsii drops free functions and constants from the other languages
 * without an error), and no property or method of them takes or returns a union type (other than
 * `T | undefined`), which those languages only see as `object`.
 */
const ROOT = path.join(__dirname, '..', '..');
const INDEX = path.join(ROOT, 'lib', 'index.ts');

interface Api {
  readonly checker: ts.TypeChecker;
  /** Every export of lib/index.ts with the declaration kinds behind it. */
  readonly exports: { readonly name: string; readonly symbol: ts.Symbol; readonly kinds: ts.SyntaxKind[] }[];
}

function readApi(file: string): Api {
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, noEmit: true,
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  const exports = checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    return { name: exported.name, symbol, kinds: (symbol.declarations ?? []).map((d) => d.kind) };
  });
  return { checker, exports };
}

const ALLOWED = new Set([ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.EnumDeclaration, ts.SyntaxKind.InterfaceDeclaration]);

/** Exports that are not a class, an enum or an interface: `name (kind)`. */
function nonTypeExports(api: Api): string[] {
  return api.exports
    .filter((e) => e.kinds.length === 0 || e.kinds.some((k) => !ALLOWED.has(k)))
    .map((e) => `${e.name} (${e.kinds.map((k) => ts.SyntaxKind[k]).join(', ')})`)
    .sort();
}

/** A union a jsii language cannot type: not `boolean`, not an enum, once `undefined` is removed. */
function isForeignUnion(checker: ts.TypeChecker, type: ts.Type): boolean {
  const t = checker.getNonNullableType(type);
  if (!t.isUnion()) return false;
  if (t.flags & ts.TypeFlags.Boolean || t.flags & ts.TypeFlags.EnumLiteral) return false;
  return true;
}

/** Members (properties, method parameters and returns) of exported types whose type is a union: `Type.member: type`. */
function unionMembers(api: Api): string[] {
  const { checker } = api;
  const found: string[] = [];
  for (const { name, symbol } of api.exports) {
    if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
    const declaration = symbol.declarations![0];
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    const statics = symbol.flags & ts.SymbolFlags.Class ? checker.getTypeOfSymbolAtLocation(symbol, declaration).getProperties() : [];
    for (const member of [...instance.getProperties(), ...statics]) {
      const memberDeclaration = member.valueDeclaration ?? member.declarations?.[0];
      if (!memberDeclaration || memberDeclaration.getSourceFile().fileName.includes('node_modules')) continue;
      if (ts.getCombinedModifierFlags(memberDeclaration) & ts.ModifierFlags.Private) continue;
      if (member.name === 'prototype') continue;
      const type = checker.getTypeOfSymbolAtLocation(member, memberDeclaration);
      const signatures = type.getCallSignatures();
      if (ts.isMethodDeclaration(memberDeclaration) || ts.isMethodSignature(memberDeclaration)) {
        for (const signature of signatures) {
          for (const parameter of signature.getParameters()) {
            const parameterType = checker.getTypeOfSymbolAtLocation(parameter, memberDeclaration);
            if (isForeignUnion(checker, parameterType)) found.push(`${name}.${member.name}(${parameter.name}): ${checker.typeToString(parameterType)}`);
          }
          const returned = signature.getReturnType();
          if (isForeignUnion(checker, returned)) found.push(`${name}.${member.name}() returns ${checker.typeToString(returned)}`);
        }
      } else if (isForeignUnion(checker, type)) {
        found.push(`${name}.${member.name}: ${checker.typeToString(type)}`);
      }
    }
  }
  return found.sort();
}

describe('public API: shapes every jsii language has', () => {
  const api = readApi(INDEX);

  test('lib/index.ts exports only classes, enums and interfaces (no free function, constant or type alias)', () => {
    expect(api.exports.length).toBeGreaterThan(50);
    expect(nonTypeExports(api)).toEqual([]);
  });

  test('at runtime, every export of the package is a class or an enum', () => {
    const declared = new Map(api.exports.map((e) => [e.name, e.kinds]));
    const wrong = Object.entries(lib as Record<string, unknown>)
      .filter(([name, value]) => {
        const kinds = declared.get(name) ?? [];
        if (kinds.includes(ts.SyntaxKind.ClassDeclaration)) return typeof value !== 'function';
        if (kinds.includes(ts.SyntaxKind.EnumDeclaration)) return typeof value !== 'object';
        return true;
      })
      .map(([name, value]) => `${name}: ${typeof value}`);
    expect(wrong).toEqual([]);
  });

  test('no property, parameter or return type of an exported class or interface is a union', () => {
    expect(unionMembers(api)).toEqual([]);
  });

  test('the checks see a free function, a constant, a type alias and a union prop', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'public-api-'));
    try {
      const file = path.join(dir, 'index.ts');
      fs.writeFileSync(file, [
        'export enum Mode { A = "a" }',
        'export interface Props { readonly limit?: number | false; readonly on?: boolean; readonly mode?: Mode; readonly name?: string }',
        'export class Thing { public static readonly MAX: number = 1; public static of(x: string | number): Thing { return new Thing(String(x)); } constructor(public readonly name: string) {} }',
        'export const LIMIT = 1;',
        'export function helper(): void {}',
        'export type Alias = string | number;',
      ].join('\n'));
      const broken = readApi(file);
      expect(nonTypeExports(broken)).toEqual(['Alias (TypeAliasDeclaration)', 'LIMIT (VariableDeclaration)', 'helper (FunctionDeclaration)']);
      expect(unionMembers(broken)).toEqual(['Props.limit: number | false | undefined', 'Thing.of(x): string | number']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
