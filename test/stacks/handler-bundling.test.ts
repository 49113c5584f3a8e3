import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createHandlerFunction, handlerManifest, HANDLERS_DIR, handlerSourceHash, packageRoot } from '../../lib/private/node-function';
import { testApp } from '../support/app';

/**
 * The handlers as they ship: prebuilt by `scripts/build-handlers.ts` into `dist/handlers/` (rebuilt
 * here first if the sources changed), each bundle loaded with only the AWS SDK outside it, and the
 * functions deploying exactly those folders.
 */
const ROOT = path.join(__dirname, '..', '..');
const LAMBDA_DIR = path.join(ROOT, 'lambda');
const HANDLERS = fs.readdirSync(LAMBDA_DIR).filter((name) => fs.existsSync(path.join(LAMBDA_DIR, name, 'index.ts')));
/** Handlers with native modules beside the bundle, built per architecture. */
const NATIVE: Record<string, string[]> = { thumbnail: ['sharp'] };

interface Asset {
  readonly id: string;
  readonly handler: string;
  readonly architecture: lambda.Architecture;
  dir: string;
}

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
const ASSETS: Asset[] = HANDLERS.flatMap((handler) => (NATIVE[handler]
  ? [
    { id: pascal(handler), handler, architecture: lambda.Architecture.ARM_64, dir: '' },
    { id: `${pascal(handler)}X86`, handler, architecture: lambda.Architecture.X86_64, dir: '' },
  ]
  : [{ id: pascal(handler), handler, architecture: lambda.Architecture.ARM_64, dir: '' }]));

describe('prebuilt handlers', () => {
  let sdkOnlyDir: string;
  const deployed: Record<string, string> = {};

  beforeAll(() => {
    sdkOnlyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-only-'));
    fs.symlinkSync(path.join(ROOT, 'node_modules', '@aws-sdk'), path.join(sdkOnlyDir, '@aws-sdk'));
    // bundling allowed in every stack: nothing may bundle anyway. The CLI turns the metadata on; it
    // records each resource's path and asset folder in the template.
    const app = testApp({ bundling: true, context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'Bundles');
    for (const asset of ASSETS) {
      createHandlerFunction(stack, asset.id, {
        handlerName: asset.handler, description: asset.id, architecture: asset.architecture, nodeModules: NATIVE[asset.handler],
      });
    }
    const assembly = app.synth();
    const resources = Object.values<{ Type: string; Metadata?: Record<string, string> }>(assembly.getStackByName('Bundles').template.Resources);
    const manifest = handlerManifest();
    for (const asset of ASSETS) {
      const assets = manifest.assets[asset.handler];
      asset.dir = path.join(ROOT, HANDLERS_DIR, assets[asset.architecture.name] ?? assets.any);
      const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:cdk:path'] === `Bundles/${asset.id}/Resource`);
      deployed[asset.id] = path.join(assembly.directory, fn!.Metadata!['aws:asset:path']);
    }
  }, 240_000);

  afterAll(() => fs.rmSync(sdkOnlyDir, { recursive: true, force: true }));

  test('every handler under lambda/ is built, from the current sources', () => {
    expect(HANDLERS).toEqual(expect.arrayContaining(['producer', 'queue-worker', 'thumbnail', 'topic-subscriber', 'cached-api', 'ebs-follower']));
    const manifest = handlerManifest();
    expect(Object.keys(manifest.assets).sort()).toEqual([...HANDLERS].sort());
    expect(manifest.sourceHash).toBe(handlerSourceHash(ROOT));
  });

  test.each(ASSETS.map((a) => a.id))('%s deploys the prebuilt folder as it is', (id) => {
    const asset = ASSETS.find((a) => a.id === id)!;
    expect(fs.readFileSync(path.join(deployed[id], 'index.js')).equals(fs.readFileSync(path.join(asset.dir, 'index.js')))).toBe(true);
    expect(fs.readdirSync(deployed[id]).sort()).toEqual(fs.readdirSync(asset.dir).sort());
  });

  test.each(ASSETS.map((a) => a.id))('%s is bundled minified with a source map, the AWS SDK left to the runtime', (id) => {
    const asset = ASSETS.find((a) => a.id === id)!;
    const code = fs.readFileSync(path.join(asset.dir, 'index.js'), 'utf8');
    expect(fs.existsSync(path.join(asset.dir, 'index.js.map'))).toBe(true);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    // minified: long lines (measured per line, as bundled template literals keep their line breaks)
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
    // nothing from @aws-sdk is inlined; it is required from the Lambda runtime
    expect(code).not.toMatch(/node_modules\/@aws-sdk\//);
    // self-contained apart from node built-ins, @aws-sdk and the native modules installed beside it
    const native = NATIVE[asset.handler] ?? [];
    const requires = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(requires.filter((r) => !r.startsWith('@aws-sdk/') && !r.startsWith('node:') && !builtinModules.includes(r) && !native.includes(r))).toEqual([]);
    for (const module of native) expect(fs.existsSync(path.join(asset.dir, 'node_modules', module, 'package.json'))).toBe(true);
  });

  test.each(ASSETS.filter((a) => a.architecture === lambda.Architecture.X86_64 || !NATIVE[a.handler]).map((a) => a.id))(
    '%s loads and exports a handler function', (id) => {
      const asset = ASSETS.find((a) => a.id === id)!;
      // A fresh Node process where, as in the Lambda runtime, only the AWS SDK is available
      // outside the bundle (NODE_PATH points at a folder holding just @aws-sdk).
      const out = execFileSync(process.execPath, ['-e', `console.log(typeof require(${JSON.stringify(path.join(asset.dir, 'index.js'))}).handler)`], {
        encoding: 'utf8',
        cwd: sdkOnlyDir,
        env: {
          ...process.env, NODE_PATH: sdkOnlyDir, AWS_REGION: 'us-east-1',
          TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t', OUTPUT_BUCKET: 'out', THUMBNAIL_WIDTHS: '128', THUMBNAIL_FORMATS: 'jpeg',
        },
      });
      expect(out.trim()).toBe('function');
    });

  test('the queue worker bundles Powertools (not provided by the runtime)', () => {
    const code = fs.readFileSync(path.join(ASSETS.find((a) => a.id === 'QueueWorker')!.dir, 'index.js'), 'utf8');
    expect(code).toMatch(/batchItemFailures/);
  });

  test.each([
    ['Thumbnail', 'arm64', 'x64'],
    ['ThumbnailX86', 'x64', 'arm64'],
  ])('%s ships sharp\'s native binary for linux-%s only', (id, cpu, other) => {
    const img = path.join(ASSETS.find((a) => a.id === id)!.dir, 'node_modules', '@img');
    expect(fs.readdirSync(img).filter((d) => d.includes(other))).toEqual([]);
    const libDir = path.join(img, `sharp-linux-${cpu}`, 'lib');
    const addons = fs.readdirSync(libDir).filter((f) => f.endsWith('.node'));
    expect(addons).toHaveLength(1);
    // the compiled addon really is for that CPU (ELF e_machine: 0xB7 aarch64, 0x3E x86-64)
    const elf = fs.readFileSync(path.join(libDir, addons[0]));
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.readUInt16LE(18)).toBe(cpu === 'arm64' ? 0xb7 : 0x3e);
  });

  test('fails if a native module the handler needs is not in its prebuilt folder', () => {
    const stack = new Stack(testApp(), 'Missing');
    expect(() => createHandlerFunction(stack, 'Fn', { handlerName: 'queue-worker', description: 'x', nodeModules: ['sharp'] }))
      .toThrow(/prebuilt handler 'queue-worker' has no node_modules\/sharp; list it in NATIVE_MODULES \(scripts\/build-handlers\.ts\) and rebuild/);
  });

  test('fails if the handler was not built', () => {
    const stack = new Stack(testApp(), 'Unknown');
    expect(() => createHandlerFunction(stack, 'Fn', { handlerName: 'no-such-handler', description: 'x' }))
      .toThrow(/no prebuilt handler 'no-such-handler'; the build has cached-api, .*queue-worker/);
  });

  test('the package root is found from the sources', () => {
    expect(packageRoot()).toBe(path.resolve(ROOT));
  });
});

/**
 * Build on first use, in a throwaway package root with one tiny handler (no native modules, so no
 * registry): built when missing, rebuilt when a source changes, reused otherwise, and one build when
 * several processes start at once.
 */
describe('handler build on first use', () => {
  let root: string;
  const entry = () => path.join(root, 'lambda', 'hello', 'index.ts');
  const bundle = () => fs.readFileSync(path.join(root, HANDLERS_DIR, 'hello', 'index.js'), 'utf8');
  /** A fresh copy of the module, as in a new process (the check runs once per process and root). */
  const freshManifest = () => {
    let mod: typeof import('../../lib/private/node-function') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.isolateModules needs a synchronous load
      mod = require('../../lib/private/node-function');
    });
    return mod!.handlerManifest(root);
  };

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-build-'));
    fs.mkdirSync(path.join(root, 'scripts'));
    fs.mkdirSync(path.join(root, 'lib', 'private'), { recursive: true });
    fs.mkdirSync(path.join(root, 'lambda', 'hello'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'scripts', 'build-handlers.ts'), path.join(root, 'scripts', 'build-handlers.ts'));
    fs.copyFileSync(path.join(ROOT, 'lib', 'private', 'node-function.ts'), path.join(root, 'lib', 'private', 'node-function.ts'));
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(root, 'package.json'));
    fs.copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(root, 'package-lock.json'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
    fs.writeFileSync(entry(), "export const handler = async () => 'hello v1';\n");
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('builds the handlers when none are built', () => {
    const manifest = freshManifest();
    expect(manifest).toEqual({ sourceHash: handlerSourceHash(root), assets: { hello: { any: 'hello' } } });
    expect(bundle()).toMatch(/hello v1/);
  }, 60_000);

  test('reuses the build while the sources are unchanged', () => {
    const before = fs.statSync(path.join(root, HANDLERS_DIR, 'hello', 'index.js')).mtimeMs;
    freshManifest();
    expect(fs.statSync(path.join(root, HANDLERS_DIR, 'hello', 'index.js')).mtimeMs).toBe(before);
  });

  test('rebuilds when a handler source changes', () => {
    fs.writeFileSync(entry(), "export const handler = async () => 'hello v2';\n");
    expect(freshManifest().sourceHash).toBe(handlerSourceHash(root));
    expect(bundle()).toMatch(/hello v2/);
  }, 60_000);

  test('concurrent builds: one builds, the others wait and reuse it', async () => {
    fs.writeFileSync(entry(), "export const handler = async () => 'hello v3';\n");
    const runs = await Promise.all([0, 1, 2].map(() => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(root, 'scripts', 'build-handlers.ts')], { cwd: root });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(stderr) : reject(new Error(stderr))));
    })));
    expect(runs.filter((stderr) => /bundled 1 handlers/.test(stderr))).toHaveLength(1);
    expect(bundle()).toMatch(/hello v3/);
    expect(fs.existsSync(path.join(root, `${HANDLERS_DIR}.lock`))).toBe(false);
  }, 60_000);

  test('fails with the fix if a published package lacks its prebuilt handlers', () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'no-handlers-'));
    try {
      fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(bare, 'package.json'));
      expect(() => handlerManifest(bare)).toThrow(/the prebuilt handlers are missing \(.*manifest\.json\); the package is incomplete/);
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });
});
