import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Every ```ts block of the README files (root, `lib/**`, `docs/*.md`), and every TSDoc `@example` of `lib/`, compiles
 * against the library's sources, so an example that drifts from the API fails `npm test`. Each block replaces the `/// here` line of a jsii-rosetta
 * fixture (`rosetta/<name>.ts-fixture`, `default` unless the fence says ```ts fixture=<name>), with
 * its `import` lines hoisted to the top and every export of the library imported by name (less those
 * the block imports itself). `cdk-reference-architectures` resolves to `lib/index.ts`.
 */
const ROOT = path.join(__dirname, '..', '..');
const PACKAGE_NAME = 'cdk-reference-architectures';

/**
 * Examples that do not compile yet, by README and first line, with the reason. Listed here they are
 * expected to fail, and the test fails once one compiles, so the list cannot go stale.
 */
const PENDING: { readonly [key: string]: string } = {};

interface Example {
  readonly readme: string;
  readonly line: number;
  readonly fixture: string;
  readonly code: string;
  /** README path and first line of code: stable while unrelated text around it changes. */
  readonly key: string;
}

function readmes(): string[] {
  const found = [path.join(ROOT, 'README.md')];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'README.md') found.push(full);
    }
  };
  walk(path.join(ROOT, 'lib'));
  for (const entry of fs.readdirSync(path.join(ROOT, 'docs'))) {
    if (entry.endsWith('.md')) found.push(path.join(ROOT, 'docs', entry));
  }
  return found;
}

/** The TSDoc `@example` blocks of `lib/` (jsii-docgen puts them in API.md), outside `lib/stacks`. */
function tsdocExamples(): Example[] {
  const result: Example[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && full !== path.join(ROOT, 'lib', 'stacks')) {
        walk(full);
      } else if (entry.isFile() && entry.name.endsWith('.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        for (const comment of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
          const lines = comment[1].split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
          const at = lines.findIndex((l) => /^@example\b/.test(l.trim()));
          if (at < 0) continue;
          const end = lines.findIndex((l, i) => i > at && /^@\w/.test(l.trim()));
          const code = lines.slice(at + 1, end < 0 ? undefined : end).join('\n').trim();
          const line = text.slice(0, comment.index).split('\n').length + at;
          const file = path.relative(ROOT, full);
          result.push({ readme: file, line, fixture: 'default', code, key: `${file}: ${code.split('\n')[0].trim()}` });
        }
      }
    }
  };
  walk(path.join(ROOT, 'lib'));
  return result;
}

function examples(): Example[] {
  const result: Example[] = tsdocExamples();
  for (const file of readmes()) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const readme = path.relative(ROOT, file);
    for (let i = 0; i < lines.length; i++) {
      const fence = lines[i].match(/^```(ts|typescript)\b(.*)$/);
      if (!fence) continue;
      const start = i + 1;
      while (i + 1 < lines.length && !lines[i + 1].startsWith('```')) i++;
      const code = lines.slice(start, i + 1).join('\n');
      i++;
      const fixture = fence[2].match(/\bfixture=(\S+)/)?.[1] ?? 'default';
      const firstLine = code.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
      result.push({ readme, line: start + 1, fixture, code, key: `${readme}: ${firstLine}` });
    }
  }
  return result;
}

/** Every name `lib/index.ts` exports (values and types). */
function libraryExports(program: ts.Program): string[] {
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(ROOT, 'lib', 'index.ts'))!;
  return checker.getExportsOfModule(checker.getSymbolAtLocation(index)!).map((s) => s.name).sort();
}

/** The source of one example inside its fixture. */
function render(example: Example, exported: readonly string[]): string {
  const fixture = fs.readFileSync(path.join(ROOT, 'rosetta', `${example.fixture}.ts-fixture`), 'utf8');
  const lines = example.code.split('\n');
  const imports = lines.filter((l) => /^import\b/.test(l));
  const body = lines.filter((l) => !/^import\b/.test(l)).join('\n');
  const ownNames = new Set(imports.filter((l) => l.includes(`'${PACKAGE_NAME}'`))
    .flatMap((l) => (l.match(/\{([^}]*)\}/)?.[1] ?? '').split(',').map((n) => n.trim().split(/\s+as\s+/).pop()!).filter(Boolean)));
  const libraryImport = `import { ${exported.filter((n) => !ownNames.has(n)).join(', ')} } from '${PACKAGE_NAME}';`;
  const here = /^[ \t]*\/\/\/ here[ \t]*$/m;
  if (!here.test(fixture)) throw new Error(`rosetta/${example.fixture}.ts-fixture has no '/// here' line`);
  return [...imports, libraryImport, fixture.replace(here, () => body)].join('\n');
}

describe('README and TSDoc examples', () => {
  const all = examples();
  const outDir = path.join(ROOT, 'dist', '.cache', 'readme-examples');
  const diagnostics: Record<string, string[]> = {};

  beforeAll(() => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      baseUrl: ROOT,
      paths: { [PACKAGE_NAME]: ['lib/index.ts'] },
    };
    const indexOnly = ts.createProgram([path.join(ROOT, 'lib', 'index.ts')], options);
    const exported = libraryExports(indexOnly);
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const files = all.map((example, n) => {
      const file = path.join(outDir, `example-${String(n + 1).padStart(3, '0')}.ts`);
      fs.writeFileSync(file, render(example, exported));
      return file;
    });
    const program = ts.createProgram(files, options, undefined, indexOnly);
    files.forEach((file, n) => {
      const source = program.getSourceFile(file)!;
      diagnostics[all[n].key] = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
        const { line } = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0 };
        return `${path.basename(file)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    });
  }, 300_000);

  test('finds the examples', () => {
    expect(all.filter((e) => e.readme.endsWith('README.md')).length).toBeGreaterThanOrEqual(20);
    expect(all.filter((e) => e.readme.endsWith('.ts')).length).toBeGreaterThanOrEqual(15);
    expect(new Set(all.map((e) => e.key)).size).toBe(all.length);
  });

  test('every pending entry names an example that exists', () => {
    expect(Object.keys(PENDING).filter((key) => !all.some((e) => e.key === key))).toEqual([]);
  });

  describe.each(all.map((e) => [`${e.readme}:${e.line}`, e] as const))('%s', (_name, example) => {
    if (PENDING[example.key]) {
      test(`does not compile yet (${PENDING[example.key]}); remove it from PENDING once it does`, () => {
        expect(diagnostics[example.key]).not.toEqual([]);
      });
    } else {
      test('compiles', () => {
        expect(diagnostics[example.key]).toEqual([]);
      });
    }
  });
});
