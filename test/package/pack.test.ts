import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The library as users get it: `npm pack`, install the tarball into a fresh CDK app (no cdk.json,
 * so no feature flags), import `FanOutTopic` and `S3ThumbnailPipeline` by package name
 * (type-checked against the shipped .d.ts) and synthesize — bundling the shipped thumbnail
 * handler from node_modules with the consumer's esbuild, as a user's `cdk synth` would.
 */
const repoRoot = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${(stderr ?? '').slice(-4000)}`);
  }
}

describe('packed library', () => {
  let workDir: string;
  let consumerDir: string;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-test-'));
    // prepack builds dist/ first, so this is exactly what `npm publish` would ship
    const tarballName = run('npm', ['pack', '--silent', '--pack-destination', workDir], repoRoot).trim().split('\n').pop()!;
    const tarball = path.join(workDir, tarballName);

    consumerDir = path.join(workDir, 'consumer');
    fs.mkdirSync(consumerDir);
    fs.writeFileSync(path.join(consumerDir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball,
      `aws-cdk-lib@${pkg.devDependencies['aws-cdk-lib']}`, `constructs@${pkg.devDependencies.constructs}`,
      `esbuild@${pkg.devDependencies.esbuild}`], consumerDir);

    fs.writeFileSync(path.join(consumerDir, 'app.ts'), [
      "import { App, Stack } from 'aws-cdk-lib';",
      "import * as sns from 'aws-cdk-lib/aws-sns';",
      `import { FanOutTopic, S3ThumbnailPipeline } from '${pkg.name}';`,
      "const app = new App({ outdir: 'cdk.out' });",
      "const stack = new Stack(app, 'Consumer');",
      "const fanOut = new FanOutTopic(stack, 'Events', {",
      "  subscribers: { Orders: { filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['order.created'] }) } } },",
      '});',
      "fanOut.addSubscriber('Audit', { rawMessageDelivery: true });",
      "new S3ThumbnailPipeline(new Stack(app, 'Images'), 'Thumbnails', { sourcePrefix: 'uploads/' });",
      'app.synth();',
    ].join('\n'));
    fs.writeFileSync(path.join(consumerDir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, skipLibCheck: true, types: [] },
      files: ['app.ts'],
    }));
  }, 240_000);

  afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('ships compiled JavaScript, type declarations and the handler sources, and no tests', () => {
    const files = run('tar', ['tzf', fs.readdirSync(workDir).map((f) => path.join(workDir, f)).find((f) => f.endsWith('.tgz'))!], workDir);
    expect(files).toMatch(/package\/dist\/lib\/index\.js/);
    expect(files).toMatch(/package\/dist\/lib\/index\.d\.ts/);
    expect(files).toMatch(/package\/lambda\/queue-worker\/index\.ts/);
    expect(files).not.toMatch(/package\/test\//);
  });

  test('a TypeScript app imports the constructs by package name, type-checks and synthesizes', () => {
    run('node', [tsc, '-p', 'tsconfig.json'], consumerDir);
    run('node', ['app.js'], consumerDir);
    const template = JSON.parse(fs.readFileSync(path.join(consumerDir, 'cdk.out', 'Consumer.template.json'), 'utf8'));
    const types = Object.values<{ Type: string; Properties: Record<string, unknown> }>(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::SNS::Topic')).toHaveLength(1);
    expect(types.filter((t) => t === 'AWS::SNS::Subscription')).toHaveLength(2);
    const filtered = Object.values<{ Type: string; Properties: Record<string, unknown> }>(template.Resources)
      .find((r) => r.Type === 'AWS::SNS::Subscription' && r.Properties.FilterPolicy);
    expect(filtered?.Properties.FilterPolicy).toEqual({ eventType: ['order.created'] });
  });

  test('the shipped thumbnail handler is bundled from node_modules, with sharp for arm64', () => {
    const assets = fs.readdirSync(path.join(consumerDir, 'cdk.out')).filter((d) => d.startsWith('asset.'))
      .map((d) => path.join(consumerDir, 'cdk.out', d))
      .filter((d) => fs.existsSync(path.join(d, 'node_modules', 'sharp')));
    expect(assets).toHaveLength(1);
    expect(fs.existsSync(path.join(assets[0], 'index.js'))).toBe(true);
    expect(fs.readdirSync(path.join(assets[0], 'node_modules', '@img'))).toEqual(expect.arrayContaining(['sharp-linux-arm64']));
  });
});
