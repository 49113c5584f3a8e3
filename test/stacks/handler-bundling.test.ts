import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createHandlerFunction } from '../../lib/private/node-function';
import { testApp } from '../support/app';

/**
 * Bundling is skipped everywhere else to keep the suite fast; here every shipped handler is
 * bundled for real with local esbuild (no Docker), and the bundle is loaded.
 */
const LAMBDA_DIR = path.join(__dirname, '..', '..', 'lambda');
const HANDLERS = fs.readdirSync(LAMBDA_DIR).filter((name) => fs.existsSync(path.join(LAMBDA_DIR, name, 'index.ts')));
/** Handlers with native modules, installed next to the bundle for the function's architecture. */
const NATIVE_MODULES: Record<string, string[]> = { thumbnail: ['sharp'] };

interface Build {
  readonly id: string;
  readonly handler: string;
  readonly architecture: lambda.Architecture;
}

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
const BUILDS: Build[] = [
  ...HANDLERS.map((handler) => ({ id: pascal(handler), handler, architecture: lambda.Architecture.ARM_64 })),
  // native modules are also built for x86_64: that build can be loaded on this (x86_64) machine
  ...Object.keys(NATIVE_MODULES).map((handler) => ({ id: `${pascal(handler)}X86`, handler, architecture: lambda.Architecture.X86_64 })),
];

describe('handler bundling', () => {
  const bundles: Record<string, string> = {};
  let sdkOnlyDir: string;

  beforeAll(() => {
    sdkOnlyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-only-'));
    fs.symlinkSync(path.join(__dirname, '..', '..', 'node_modules', '@aws-sdk'), path.join(sdkOnlyDir, '@aws-sdk'));
    // the CLI turns these on; they record each resource's path and asset folder in the template
    const app = testApp({ bundling: true, context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'Bundles');
    for (const build of BUILDS) {
      createHandlerFunction(stack, build.id, {
        handlerName: build.handler, description: build.id, architecture: build.architecture, nodeModules: NATIVE_MODULES[build.handler],
      });
    }
    const assembly = app.synth();
    const resources = Object.values<{ Type: string; Metadata?: Record<string, string> }>(assembly.getStackByName('Bundles').template.Resources);
    for (const build of BUILDS) {
      const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:cdk:path'] === `Bundles/${build.id}/Resource`);
      bundles[build.id] = path.join(assembly.directory, fn!.Metadata!['aws:asset:path']);
    }
  }, 240_000);

  test('finds the handlers', () => {
    expect(HANDLERS).toEqual(expect.arrayContaining(['producer', 'queue-worker', 'thumbnail', 'topic-subscriber']));
  });

  test.each(BUILDS.map((b) => b.id))('%s is bundled minified with a source map, the AWS SDK left to the runtime', (id) => {
    const code = fs.readFileSync(path.join(bundles[id], 'index.js'), 'utf8');
    expect(fs.existsSync(path.join(bundles[id], 'index.js.map'))).toBe(true);
    // minified: long lines (measured per line, as bundled template literals keep their line breaks)
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
    // nothing from @aws-sdk is inlined; it is required from the Lambda runtime
    expect(code).not.toMatch(/node_modules\/@aws-sdk\//);
    // self-contained apart from node built-ins, @aws-sdk and the native modules installed beside it
    const native = NATIVE_MODULES[BUILDS.find((b) => b.id === id)!.handler] ?? [];
    const requires = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(requires.filter((r) => !r.startsWith('@aws-sdk/') && !r.startsWith('node:') && !builtinModules.includes(r) && !native.includes(r))).toEqual([]);
  });

  test.each(BUILDS.filter((b) => b.architecture === lambda.Architecture.X86_64 || !NATIVE_MODULES[b.handler]).map((b) => b.id))(
    '%s loads and exports a handler function', (id) => {
      // A fresh Node process where, as in the Lambda runtime, only the AWS SDK is available
      // outside the bundle (NODE_PATH points at a folder holding just @aws-sdk).
      const out = execFileSync(process.execPath, ['-e', `console.log(typeof require(${JSON.stringify(path.join(bundles[id], 'index.js'))}).handler)`], {
        encoding: 'utf8',
        env: {
          ...process.env, NODE_PATH: sdkOnlyDir, AWS_REGION: 'us-east-1',
          TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t', OUTPUT_BUCKET: 'out', THUMBNAIL_WIDTHS: '128', THUMBNAIL_FORMATS: 'jpeg',
        },
      });
      expect(out.trim()).toBe('function');
    });

  test('the queue worker bundles Powertools (not provided by the runtime)', () => {
    const code = fs.readFileSync(path.join(bundles.QueueWorker, 'index.js'), 'utf8');
    expect(code).toMatch(/batchItemFailures/);
  });

  test.each([
    ['Thumbnail', 'arm64', 'x64'],
    ['ThumbnailX86', 'x64', 'arm64'],
  ])('%s ships sharp\'s native binary for linux-%s only', (id, cpu, other) => {
    const img = path.join(bundles[id], 'node_modules', '@img');
    expect(fs.readdirSync(img).filter((d) => d.includes(other))).toEqual([]);
    const libDir = path.join(img, `sharp-linux-${cpu}`, 'lib');
    const addons = fs.readdirSync(libDir).filter((f) => f.endsWith('.node'));
    expect(addons).toHaveLength(1);
    // the compiled addon really is for that CPU (ELF e_machine: 0xB7 aarch64, 0x3E x86-64)
    const elf = fs.readFileSync(path.join(libDir, addons[0]));
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.readUInt16LE(18)).toBe(cpu === 'arm64' ? 0xb7 : 0x3e);
  });
});
