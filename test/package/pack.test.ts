import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { handlerManifest } from '../../lib/private/node-function';
import { dependencyClosure } from '../support/installed-packages';

/**
 * The library as users get it: the published file set packed with `npm pack`, installed into a fresh
 * CDK app (no cdk.json, so no feature flags) with the npm registry unreachable and an empty npm cache,
 * then type-checked against the shipped .d.ts and synthesized with `S3ThumbnailPipeline`, `QueueWorker`
 * and `CachedApi`, with esbuild unresolvable and `esbuild`/`docker` on PATH set to fail: the prebuilt
 * handlers ship in the tarball, so synth bundles and downloads nothing.
 *
 * The peer dependencies (aws-cdk-lib, constructs) come from this repository's install, linked into the
 * app after npm has installed the tarball: they are what a user installs next to the library, and
 * reusing them keeps this test to seconds. `prepack` (`npm run build`) also runs jsii and jsii-docgen,
 * checked separately (`.ci/run`); here the library is compiled with the same tsconfig by tsc.
 */
const repoRoot = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const FORBIDDEN_TOOLS = ['esbuild', 'docker', 'npx'];

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, CDK_DISABLE_VERSION_CHECK: '1' } });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${(stderr ?? '').slice(-4000)}`, { cause: e });
  }
}

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: { readonly path: string }[];
}

describe('packed library', () => {
  let workDir: string;
  let consumerDir: string;
  let packed: PackResult;
  let files: string[];
  let offlineEnv: NodeJS.ProcessEnv;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-test-'));
    handlerManifest(repoRoot); // the handlers, rebuilt if their sources changed
    // incremental, with its record inside dist/lib: removing dist/lib (build:lib does) removes both
    run(process.execPath, [tsc, '-p', 'tsconfig.jsii.json', '--incremental', '--tsBuildInfoFile', path.join('dist', 'lib', '.pack-test.tsbuildinfo')], repoRoot);
    [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], repoRoot));
    files = packed.files.map((f) => f.path);
    const tarball = path.join(workDir, packed.filename);

    // npm fails on any registry request (a closed port, no retries) and has nothing cached
    const bin = path.join(workDir, 'bin');
    fs.mkdirSync(bin);
    for (const tool of FORBIDDEN_TOOLS) {
      fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\necho "$0 $*" >> "${path.join(workDir, 'forbidden-calls.log')}"\nexit 1\n`, { mode: 0o755 });
    }
    offlineEnv = {
      ...process.env,
      PATH: [bin, ...(process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.includes('node_modules'))].join(path.delimiter),
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_cache: path.join(workDir, 'empty-npm-cache'),
      npm_config_fetch_retries: '0',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      // modules resolve from where they are linked (the app), not from this repository's node_modules
      NODE_PRESERVE_SYMLINKS: '1',
    };

    consumerDir = path.join(workDir, 'consumer');
    fs.mkdirSync(consumerDir);
    fs.writeFileSync(path.join(consumerDir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    // the peers are linked below, as a user would have installed them; npm is not to fetch them
    run('npm', ['install', '--legacy-peer-deps', '--no-package-lock', tarball], consumerDir, offlineEnv);
    for (const dep of dependencyClosure(repoRoot, ['aws-cdk-lib', 'constructs'])) {
      fs.mkdirSync(path.dirname(path.join(consumerDir, 'node_modules', dep)), { recursive: true });
      fs.symlinkSync(fs.realpathSync(path.join(repoRoot, 'node_modules', dep)), path.join(consumerDir, 'node_modules', dep), 'dir');
    }

    fs.writeFileSync(path.join(consumerDir, 'app.ts'), [
      "import { App, Stack } from 'aws-cdk-lib';",
      "import * as lambda from 'aws-cdk-lib/aws-lambda';",
      `import { CachedApi, QueueWorker, S3ThumbnailPipeline } from '${pkg.name}';`,
      "const app = new App({ outdir: 'cdk.out' });",
      "new S3ThumbnailPipeline(new Stack(app, 'Images'), 'Thumbnails', { sourcePrefix: 'uploads/' });",
      "const workers = new Stack(app, 'Workers');",
      "const handler = new lambda.Function(workers, 'Handler', {",
      '  runtime: lambda.Runtime.NODEJS_24_X,',
      "  handler: 'index.handler',",
      "  code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),",
      '});',
      "new QueueWorker(workers, 'Orders', { handler });",
      "new CachedApi(new Stack(app, 'Api'), 'Items');",
      'app.synth();',
    ].join('\n'));
    fs.writeFileSync(path.join(consumerDir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, skipLibCheck: true, types: [] },
      files: ['app.ts'],
    }));
  }, 300_000);

  afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('ships compiled JavaScript, type declarations, the prebuilt handlers and LICENSE; no example stacks, sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/lib/index.js', 'dist/lib/index.d.ts',
      'dist/handlers/manifest.json', 'dist/handlers/queue-worker/index.js', 'dist/handlers/queue-worker/index.js.map',
      'dist/handlers/thumbnail-arm64/index.js', 'dist/handlers/thumbnail-x86_64/node_modules/sharp/package.json']));
    expect(files.filter((f) => /^(lib|lambda|test|bench|bin|scripts)\/|^dist\/lib\/stacks\/|^dist\/\.cache\/|\.test\.|^tsconfig|^cdk\.json$|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    // the published JavaScript needs nothing from this repository at runtime
    const manifest = JSON.parse(fs.readFileSync(path.join(consumerDir, 'node_modules', pkg.name, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(manifest.bundleDependencies ?? manifest.bundledDependencies ?? []);
    expect(fs.readFileSync(path.join(consumerDir, 'node_modules', pkg.name, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  });

  test('the tarball stays under 25 MB (sharp for two architectures is most of it)', () => {
    expect(packed.size).toBeLessThan(25 * 1024 * 1024);
  });

  test('installs offline, type-checks and synthesizes S3ThumbnailPipeline, QueueWorker and CachedApi without esbuild, Docker or the registry', () => {
    // esbuild is not resolvable from the app nor from the installed library
    for (const dir of [consumerDir, path.join(consumerDir, 'node_modules', pkg.name, 'dist', 'lib')]) {
      expect(() => run(process.execPath, ['-e', "require.resolve('esbuild')"], dir, offlineEnv)).toThrow(/Cannot find module 'esbuild'/);
    }
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumerDir, offlineEnv);
    run(process.execPath, ['app.js'], consumerDir, offlineEnv);
    expect(fs.existsSync(path.join(workDir, 'forbidden-calls.log')) ? fs.readFileSync(path.join(workDir, 'forbidden-calls.log'), 'utf8') : '').toBe('');
    for (const stack of ['Images', 'Workers', 'Api']) {
      expect(fs.existsSync(path.join(consumerDir, 'cdk.out', `${stack}.template.json`))).toBe(true);
    }
  });

  test.each([
    ['Images', 'thumbnail-arm64'],
    ['Api', 'cached-api'],
  ])('the %s stack deploys the shipped prebuilt handler %s', (stack, folder) => {
    const template = JSON.parse(fs.readFileSync(path.join(consumerDir, 'cdk.out', `${stack}.template.json`), 'utf8'));
    // the construct's function: Node.js from an S3 asset (aws-cdk-lib's notification handler is inline Python)
    const functions = Object.values<{ Type: string; Properties: { Runtime?: string; Code?: { S3Key?: unknown } } }>(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'nodejs24.x' && r.Properties.Code?.S3Key);
    expect(functions).toHaveLength(1);
    const key = JSON.stringify(functions[0].Properties.Code?.S3Key).match(/([0-9a-f]{64})\.zip/)![1];
    const shipped = path.join(consumerDir, 'node_modules', pkg.name, 'dist', 'handlers', folder);
    const staged = path.join(consumerDir, 'cdk.out', `asset.${key}`);
    expect(fs.readFileSync(path.join(staged, 'index.js')).equals(fs.readFileSync(path.join(shipped, 'index.js')))).toBe(true);
    expect(fs.readdirSync(staged).sort()).toEqual(fs.readdirSync(shipped).sort());
  });
});
