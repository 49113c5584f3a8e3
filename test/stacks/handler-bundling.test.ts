import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { createHandlerFunction } from '../../lib/private/node-function';
import { testApp } from '../support/app';

/**
 * Bundling is skipped everywhere else to keep the suite fast; here every shipped handler is
 * bundled for real with local esbuild (no Docker), and the bundle is loaded.
 */
const HANDLERS = fs.readdirSync(path.join(__dirname, '..', '..', 'lambda'))
  .filter((name) => fs.existsSync(path.join(__dirname, '..', '..', 'lambda', name, 'index.ts')));

describe('handler bundling', () => {
  const bundles: Record<string, string> = {};
  let sdkOnlyDir: string;

  beforeAll(() => {
    sdkOnlyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-only-'));
    fs.symlinkSync(path.join(__dirname, '..', '..', 'node_modules', '@aws-sdk'), path.join(sdkOnlyDir, '@aws-sdk'));
    // the CLI turns these on; they record each resource's path and asset folder in the template
    const app = testApp({ bundling: true, context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'Bundles');
    const ids: Record<string, string> = {};
    for (const name of HANDLERS) {
      ids[name] = name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
      createHandlerFunction(stack, ids[name], { handlerName: name, description: name });
    }
    const assembly = app.synth();
    const resources = Object.values<{ Type: string; Metadata: Record<string, string> }>(assembly.getStackByName('Bundles').template.Resources);
    for (const name of HANDLERS) {
      const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:cdk:path'] === `Bundles/${ids[name]}/Resource`);
      bundles[name] = path.join(assembly.directory, fn!.Metadata['aws:asset:path']);
    }
  }, 120_000);

  test('finds the handlers', () => {
    expect(HANDLERS).toEqual(expect.arrayContaining(['producer', 'queue-worker', 'topic-subscriber']));
  });

  test.each(HANDLERS)('%s is bundled minified with a source map, the AWS SDK left to the runtime', (name) => {
    const code = fs.readFileSync(path.join(bundles[name], 'index.js'), 'utf8');
    expect(fs.existsSync(path.join(bundles[name], 'index.js.map'))).toBe(true);
    // minified: few, long lines
    expect(code.split('\n').length).toBeLessThan(20);
    // nothing from @aws-sdk is inlined; it is required from the Lambda runtime
    expect(code).not.toMatch(/node_modules\/@aws-sdk\//);
    // the bundle is self-contained apart from node built-ins and @aws-sdk
    const requires = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(requires.filter((r) => !r.startsWith('@aws-sdk/') && !r.startsWith('node:') && !builtinModules.includes(r))).toEqual([]);
  });

  test.each(HANDLERS)('%s loads and exports a handler function', (name) => {
    // A fresh Node process where, as in the Lambda runtime, only the AWS SDK is available
    // outside the bundle (NODE_PATH points at a folder holding just @aws-sdk).
    const out = execFileSync(process.execPath, ['-e', `console.log(typeof require(${JSON.stringify(path.join(bundles[name], 'index.js'))}).handler)`], {
      encoding: 'utf8', env: { ...process.env, NODE_PATH: sdkOnlyDir, AWS_REGION: 'us-east-1', TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t' },
    });
    expect(out.trim()).toBe('function');
  });

  test('the queue worker bundles Powertools (not provided by the runtime)', () => {
    const code = fs.readFileSync(path.join(bundles['queue-worker'], 'index.js'), 'utf8');
    expect(code).toMatch(/batchItemFailures/);
  });
});
