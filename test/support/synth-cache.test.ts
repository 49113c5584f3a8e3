import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ExampleVariant } from './example-variants';
import { entryDirectory, hashSources, synthesizedVariant, synthesizeVariants } from './synth-cache';

/**
 * The synth cache may only save time: a stale or wrong entry would let a broken stack pass. These
 * tests show a source change makes a new key, a failed harness run is reported from the cache too,
 * and a lock left by a dead process does not block.
 */
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-cache-test-'));
const savedCacheDir = process.env.SYNTH_CACHE_DIR;
beforeAll(() => {
  process.env.SYNTH_CACHE_DIR = path.join(root, 'cache');
});
afterAll(() => {
  if (savedCacheDir === undefined) delete process.env.SYNTH_CACHE_DIR;
  else process.env.SYNTH_CACHE_DIR = savedCacheDir;
  fs.rmSync(root, { recursive: true, force: true });
});

const handle = (stack: Stack) => new CfnResource(stack, 'Handle', { type: 'AWS::CloudFormation::WaitConditionHandle' });
const VARIANTS: Record<string, ExampleVariant> = {
  Fine: {
    stackName: 'Fine', context: {},
    build: (app: App) => {
      handle(new Stack(app, 'Elsewhere', { env: { region: 'us-east-1' } }));
      const stack = new Stack(app, 'Fine');
      handle(stack);
      return stack;
    },
  },
  Broken: {
    stackName: 'Broken', context: {},
    build: (app: App) => {
      const stack = new Stack(app, 'Broken');
      new lambda.Function(stack, 'Old', { runtime: lambda.Runtime.NODEJS_16_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
      return stack;
    },
  },
  FineOtherContext: {
    stackName: 'Fine', context: { mode: 'other' },
    build: (app: App) => VARIANTS.Fine.build(app),
  },
};

test('the key changes with a source file, not with a file a synth does not read', () => {
  const tree = path.join(root, 'tree');
  fs.mkdirSync(path.join(tree, 'lib', 'stacks'), { recursive: true });
  fs.mkdirSync(path.join(tree, 'test', 'support'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'lib', 'stacks', 'a.ts'), 'export const a = 1;');
  fs.writeFileSync(path.join(tree, 'test', 'support', 'harness.ts'), 'export const h = 1;');
  fs.writeFileSync(path.join(tree, 'cdk.json'), '{}');
  const first = hashSources(tree);
  fs.writeFileSync(path.join(tree, 'README.md'), 'docs');
  expect(hashSources(tree)).toBe(first);
  fs.writeFileSync(path.join(tree, 'lib', 'stacks', 'a.ts'), 'export const a = 2;');
  const second = hashSources(tree);
  expect(second).not.toBe(first);
  fs.writeFileSync(path.join(tree, 'test', 'support', 'harness.ts'), 'export const h = 2;');
  expect(hashSources(tree)).not.toBe(second);
  fs.writeFileSync(path.join(tree, 'cdk.json'), '{"context":{}}');
  expect(hashSources(tree)).not.toBe(second);
});

test('the entry is keyed by the variant\'s context too', () => {
  expect(entryDirectory('Fine', VARIANTS)).not.toBe(entryDirectory('FineOtherContext', VARIANTS));
});

test('a variant is read back with every stack of its app and their regions', () => {
  const synthesized = synthesizedVariant('Fine', VARIANTS);
  expect(synthesized.stack.stackName).toBe('Fine');
  expect(synthesized.stack.region).toBeUndefined();
  expect(synthesized.stacks.map((s) => [s.stackName, s.region])).toEqual([['Elsewhere', 'us-east-1'], ['Fine', undefined]]);
  synthesized.template.resourceCountIs('AWS::CloudFormation::WaitConditionHandle', 1);
});

test('a variant that fails the harness fails every reader with the harness\'s error, without a second synth', () => {
  expect(() => synthesizedVariant('Broken', VARIANTS)).toThrow(/nodejs16\.x' was deprecated/);
  const result = path.join(entryDirectory('Broken', VARIANTS), 'result.json');
  const written = fs.statSync(result).mtimeMs;
  expect(() => synthesizedVariant('Broken', VARIANTS)).toThrow(/nodejs16\.x' was deprecated/);
  expect(fs.statSync(result).mtimeMs).toBe(written);
});

test('a lock left by a process that died is taken over', () => {
  const entry = entryDirectory('FineOtherContext', VARIANTS);
  fs.mkdirSync(`${entry}.lock`, { recursive: true });
  // a pid far above Linux's pid_max of 4194304: no such process
  fs.writeFileSync(path.join(`${entry}.lock`, 'owner'), `${os.hostname()} 99999999`);
  synthesizeVariants(['FineOtherContext'], VARIANTS);
  expect(fs.existsSync(path.join(entry, 'result.json'))).toBe(true);
  expect(fs.existsSync(`${entry}.lock`)).toBe(false);
});
