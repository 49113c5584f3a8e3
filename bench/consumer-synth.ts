/**
 * Synth of a consumer app against an empty app (`npm run bench -- consumer`): the library as users get
 * it, packed with `npm pack` and installed from the tarball into a fresh app with the registry
 * unreachable, the peer dependencies (aws-cdk-lib, constructs) and the CDK CLI linked from this
 * repository's install as a user would have installed them.
 *
 * Two apps share that install and one `cdk.json` (this repository's feature flags), each compiled
 * to JavaScript beforehand so the timing is the synth alone: one stack with an `S3ThumbnailPipeline` and
 * a `QueueWorker`, and one empty stack. Each round installs the tarball into a new folder and runs
 * `npx cdk synth` of each app twice: cold (the first run after the install, no `cdk.out`) and warm
 * (the second, `cdk.out` kept), the two apps interleaved and the order alternating per round. The
 * ratios are the medians' (`BENCH_CONSUMER_ROUNDS`, default 5).
 *
 * Every synth runs with a guard preloaded into each Node process (the CLI, npx and the app) that
 * records and blocks TCP connections, DNS look-ups and any load of esbuild, with `esbuild` and
 * `docker` on PATH replaced by stubs that record the call, and with npm's registry at a closed port;
 * anything recorded fails the bench.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { handlerManifest } from '../lib/private/node-function';
import { dependencyClosure } from '../test/support/installed-packages';

const ROOT = path.join(__dirname, '..');
const TARGET = 1.5;
const FORBIDDEN_TOOLS = ['esbuild', 'docker'];

const GUARD = `'use strict';
const fs = require('fs');
const net = require('net');
const dns = require('dns');
const Module = require('module');
const record = (what) => {
  fs.appendFileSync(process.env.BENCH_GUARD_LOG, process.pid + ' ' + process.argv.slice(1, 3).join(' ') + ': ' + what + '\\n');
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const local = (first && typeof first === 'object' && first.path) || (typeof first === 'string' && isNaN(Number(first)));
  if (!local) {
    const target = first && typeof first === 'object' ? (first.host || 'localhost') + ':' + first.port : (typeof args[1] === 'string' ? args[1] : 'localhost') + ':' + first;
    record('connect ' + target);
    throw new Error('bench guard: network connection to ' + target + ' blocked');
  }
  return connect.apply(this, args);
};
dns.lookup = function (hostname, ...rest) {
  record('dns lookup ' + hostname);
  const callback = rest.find((a) => typeof a === 'function');
  process.nextTick(() => callback(Object.assign(new Error('bench guard: DNS look-up of ' + hostname + ' blocked'), { code: 'ENOTFOUND' })));
  return undefined;
};
dns.promises.lookup = async (hostname) => {
  record('dns lookup ' + hostname);
  throw Object.assign(new Error('bench guard: DNS look-up of ' + hostname + ' blocked'), { code: 'ENOTFOUND' });
};
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'esbuild' || request.startsWith('esbuild/')) record('require ' + request);
  return load.call(this, request, ...rest);
};
`;

const PIPELINE_APP = `import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { QueueWorker, S3ThumbnailPipeline } from 'cdk-reference-architectures';

const app = new App();
const stack = new Stack(app, 'Consumer');
new S3ThumbnailPipeline(stack, 'Thumbnails');
const handler = new lambda.Function(stack, 'Handler', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
});
new QueueWorker(stack, 'Orders', { handler });
app.synth();
`;

const EMPTY_APP = `import { App, Stack } from 'aws-cdk-lib';

const app = new App();
new Stack(app, 'Empty');
app.synth();
`;

const APPS = { empty: { source: EMPTY_APP, stack: 'Empty' }, pipeline: { source: PIPELINE_APP, stack: 'Consumer' } } as const;
type AppName = keyof typeof APPS;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${(stderr ?? '').slice(-4000)}`, { cause: e });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Setup {
  readonly scratch: string;
  readonly tarball: string;
  readonly offlineEnv: NodeJS.ProcessEnv;
  readonly guardLog: string;
  readonly cdkJson: string;
}

/** Installs the tarball offline into `dir` and links the peers and the CLI beside it. */
function install(setup: Setup, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  run('npm', ['install', '--legacy-peer-deps', '--no-package-lock', '--ignore-scripts', setup.tarball], dir, setup.offlineEnv);
  for (const dep of dependencyClosure(ROOT, ['aws-cdk-lib', 'constructs', 'aws-cdk'])) {
    const link = path.join(dir, 'node_modules', dep);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules', dep)), link, 'dir');
  }
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(path.join('..', 'aws-cdk', 'bin', 'cdk'), path.join(dir, 'node_modules', '.bin', 'cdk'));
  for (const name of Object.keys(APPS)) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, 'cdk.json'), setup.cdkJson);
  }
}

function prepare(scratch: string): Setup {
  handlerManifest(ROOT); // the prebuilt handlers, rebuilt if their sources changed (may use the registry once)
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // the same compile and build record as test/package/pack.test.ts, so either reuses the other's work
  run(process.execPath, [tsc, '-p', 'tsconfig.jsii.json', '--incremental', '--tsBuildInfoFile', path.join('dist', 'lib', '.pack-test.tsbuildinfo')], ROOT);
  const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], ROOT));

  const bin = path.join(scratch, 'bin');
  fs.mkdirSync(bin);
  const guardLog = path.join(scratch, 'guard.log');
  for (const tool of FORBIDDEN_TOOLS) {
    fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\necho "$0 $*" >> "${guardLog}"\nexit 1\n`, { mode: 0o755 });
  }
  const guard = path.join(scratch, 'guard.js');
  fs.writeFileSync(guard, GUARD);
  const offlineEnv: NodeJS.ProcessEnv = {
    ...process.env,
    // `npm run` puts this repository's node_modules/.bin (esbuild among them) on PATH
    PATH: [bin, ...(process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.includes('node_modules'))].join(path.delimiter),
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_cache: path.join(scratch, 'empty-npm-cache'),
    npm_config_fetch_retries: '0',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    // modules resolve from where they are linked (the app), not from this repository's node_modules
    NODE_PRESERVE_SYMLINKS: '1',
  };
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
  const setup: Setup = {
    scratch,
    tarball: path.join(scratch, packed.filename),
    offlineEnv,
    guardLog,
    cdkJson: JSON.stringify({ app: 'node app.js', context: cdkJson.context }, null, 2),
  };

  // compile both apps once against the installed package's .d.ts; each round copies the JavaScript
  const compileDir = path.join(scratch, 'compile');
  install(setup, compileDir);
  for (const [name, { source }] of Object.entries(APPS)) fs.writeFileSync(path.join(compileDir, name, 'app.ts'), source);
  fs.writeFileSync(path.join(compileDir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, skipLibCheck: true, types: [] },
    files: Object.keys(APPS).map((name) => `${name}/app.ts`),
  }));
  run(process.execPath, [tsc, '-p', 'tsconfig.json'], compileDir, offlineEnv);

  // the guard must see what it is there to see
  const probeEnv = { ...offlineEnv, NODE_OPTIONS: `--require ${guard}`, BENCH_GUARD_LOG: guardLog };
  spawnSync(process.execPath, ['-e', "try { require('http').get('http://127.0.0.1:9/').on('error', () => {}) } catch {} require('dns').lookup('example.com', () => {}); try { require('esbuild') } catch {}"], { env: probeEnv, cwd: compileDir });
  spawnSync('esbuild', ['--version'], { env: probeEnv, cwd: compileDir });
  const probed = fs.existsSync(guardLog) ? fs.readFileSync(guardLog, 'utf8') : '';
  for (const expected of ['connect 127.0.0.1:9', 'dns lookup example.com', 'require esbuild', 'esbuild --version']) {
    if (!probed.includes(expected)) throw new Error(`consumer bench: the offline guard did not record '${expected}'; it recorded:\n${probed}`);
  }
  fs.rmSync(guardLog);
  return { ...setup, offlineEnv: probeEnv };
}

/** Wall seconds of `npx cdk synth` of `name` in the install at `dir`; fails on anything the guard recorded. */
function synth(setup: Setup, dir: string, name: AppName): number {
  const cwd = path.join(dir, name);
  const start = process.hrtime.bigint();
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices'], { cwd, env: setup.offlineEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const recorded = fs.existsSync(setup.guardLog) ? fs.readFileSync(setup.guardLog, 'utf8') : '';
  if (recorded) throw new Error(`consumer bench: synth of the ${name} app touched the network or esbuild:\n${recorded}`);
  if (result.status !== 0) throw new Error(`npx cdk synth (${name}) failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`.slice(-4000));
  if (!fs.existsSync(path.join(cwd, 'cdk.out', `${APPS[name].stack}.template.json`))) throw new Error(`consumer bench: ${name} synth wrote no ${APPS[name].stack}.template.json`);
  return seconds;
}

export async function runConsumerSynthBench(): Promise<void> {
  const rounds = Number(process.env.BENCH_CONSUMER_ROUNDS ?? 5);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-consumer-'));
  try {
    const setup = prepare(scratch);
    const times: Record<'cold' | 'warm', Record<AppName, number[]>> = { cold: { empty: [], pipeline: [] }, warm: { empty: [], pipeline: [] } };
    for (let round = 0; round < rounds; round++) {
      const dir = path.join(scratch, `round-${round}`);
      install(setup, dir);
      for (const name of Object.keys(APPS) as AppName[]) {
        fs.copyFileSync(path.join(scratch, 'compile', name, 'app.js'), path.join(dir, name, 'app.js'));
      }
      // alternate which app runs first, so a slow spell of the machine hits both
      const order: AppName[] = round % 2 === 0 ? ['empty', 'pipeline'] : ['pipeline', 'empty'];
      for (const phase of ['cold', 'warm'] as const) {
        for (const name of order) times[phase][name].push(synth(setup, dir, name));
      }
      const cell = (phase: 'cold' | 'warm') => `${phase} ${times[phase].empty[round].toFixed(2)} / ${times[phase].pipeline[round].toFixed(2)} s (${(times[phase].pipeline[round] / times[phase].empty[round]).toFixed(2)}x)`;
      console.log(`  round ${round + 1}: empty / consumer app: ${cell('cold')}, ${cell('warm')}`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
    console.log(`Consumer app synth (S3ThumbnailPipeline + QueueWorker, packed library, offline) ÷ empty app, median of ${rounds} interleaved rounds; load average at the end ${load} on ${os.cpus().length} cores:`);
    console.log('| Synth | Empty app | Consumer app | Ratio | Target | Met |');
    console.log('| ----- | --------- | ------------ | ----- | ------ | --- |');
    for (const phase of ['cold', 'warm'] as const) {
      const empty = median(times[phase].empty);
      const pipeline = median(times[phase].pipeline);
      const ratio = pipeline / empty;
      const label = phase === 'cold' ? 'cold (first after install, no cdk.out)' : 'warm (second run, cdk.out kept)';
      console.log(`| ${label} | ${empty.toFixed(2)} s | ${pipeline.toFixed(2)} s | ${ratio.toFixed(2)}x | ≤ ${TARGET}x | ${ratio <= TARGET ? 'yes' : 'NO'} |`);
    }
    console.log('No synth touched the network or esbuild (guarded in every Node process, registry at a closed port).');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
