/**
 * Size and cold-start module init cost of each handler as Lambda would ship it: bundled with esbuild
 * (minified, node platform, CommonJS, `@aws-sdk/*` left to the runtime), then `require`d in a fresh
 * `node` process, timed inside that process, against requiring an empty module the same way.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const HANDLERS = ['queue-worker', 'topic-subscriber', 'producer'] as const;

export interface BundleBenchOptions {
  /** Fresh processes per measurement. @default 9 */
  readonly runs?: number;
  /** esbuild target; matches the Lambda runtime. @default 'node24' */
  readonly target?: string;
}

export interface BundleResult {
  readonly handler: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Median time to `require` the bundle in a fresh process, in ms. */
  readonly initMs: number;
  /** initMs / the empty-module baseline. */
  readonly ratio: number;
}

const ROOT = path.resolve(__dirname, '..');

/** Median ms to `require(file)` in a fresh node process (externals resolve from this package's node_modules). */
function requireTimeMs(file: string, runs: number): number {
  const script =
    'const t = process.hrtime.bigint(); require(process.argv[1]); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_PATH: path.join(ROOT, 'node_modules'),
    AWS_REGION: 'us-east-1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    // stderr is piped (and dropped) so runtime warnings from the child, e.g. the SDK's Node version notice, stay out of the report.
    const out = execFileSync(process.execPath, ['-e', script, file], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    times.push(Number(out));
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

export async function runBundleBench(options: BundleBenchOptions = {}): Promise<BundleResult[]> {
  const { runs = 9, target = 'node24' } = options;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-bundles-'));
  try {
    const empty = path.join(outdir, 'empty.js');
    fs.writeFileSync(empty, 'module.exports = {};\n');
    const baselineMs = requireTimeMs(empty, runs);

    const results: BundleResult[] = [];
    for (const handler of HANDLERS) {
      const outfile = path.join(outdir, `${handler}.js`);
      await build({
        entryPoints: [path.join(ROOT, 'lambda', handler, 'index.ts')],
        outfile,
        bundle: true,
        minify: true,
        platform: 'node',
        target,
        format: 'cjs',
        external: ['@aws-sdk/*'],
        logLevel: 'warning',
      });
      const code = fs.readFileSync(outfile);
      const initMs = requireTimeMs(outfile, runs);
      results.push({ handler, bytes: code.length, gzipBytes: gzipSync(code).length, initMs, ratio: initMs / baselineMs });
    }

    console.log(`Handler bundles: esbuild ${target}, minified, cjs, @aws-sdk/* external; init = require() in a fresh node, median of ${runs}`);
    console.log(`  baseline (empty module): ${baselineMs.toFixed(2)} ms`);
    console.log(`  ${'handler'.padEnd(18)}${'size'.padStart(10)}${'gzip'.padStart(10)}${'init ms'.padStart(10)}${'x baseline'.padStart(12)}`);
    const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
    for (const r of results) {
      console.log(
        `  ${r.handler.padEnd(18)}${kb(r.bytes).padStart(10)}${kb(r.gzipBytes).padStart(10)}${r.initMs.toFixed(2).padStart(10)}${r.ratio.toFixed(1).padStart(12)}`,
      );
    }
    console.log('  (producer init includes loading @aws-sdk/client-sns from node_modules, as the Lambda runtime would)');
    return results;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
