/**
 * Synth and test time against an empty CDK app's synth, measured in the same run:
 * - `npx cdk synth` of the example app (cdk.json's app, validator on) ÷ `npx cdk synth` of an app
 *   with one empty stack (`bench/empty-app.ts`), same CLI and cdk.json: the median of interleaved
 *   rounds (`BENCH_SYNTH_ROUNDS`, default 3);
 * - `npm test` (type check and jest, with a new, empty synth cache: a cold run) ÷ the same empty-app median;
 *   `BENCH_SYNTH_SKIP_TEST=1` leaves it out (it runs the whole suite).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const SYNTH_TARGET = 2.0;
const TEST_TARGET = 20;

/** Wall seconds of `command`; throws if it fails, unless `allowFailure` (then says so). */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}, allowFailure = false): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0 && allowFailure) {
    console.log(`${command} ${args.join(' ')} FAILED (${result.status ?? result.signal}); its time still counts:\n${`${result.stdout}\n${result.stderr}`.slice(-3000)}`);
  } else if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`.slice(-4000));
  }
  return seconds;
}

function cdkSynth(outdir: string, app?: string): number {
  return timed('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', outdir, ...(app ? ['--app', app] : [])]);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function runSynthBench(): Promise<void> {
  const rounds = Number(process.env.BENCH_SYNTH_ROUNDS ?? 3);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  try {
    const empty: number[] = [];
    const example: number[] = [];
    // warm-up: the CLI, tsx and the OS file cache, and (on a fresh clone) the prebuilt handler assets
    cdkSynth(path.join(scratch, 'warm-example'));
    cdkSynth(path.join(scratch, 'warm-empty'), 'npx tsx bench/empty-app.ts');
    for (let round = 0; round < rounds; round++) {
      // alternate which side runs first, so a slow spell of the machine hits both
      const order = round % 2 === 0 ? ['empty', 'example'] : ['example', 'empty'];
      for (const side of order) {
        const outdir = path.join(scratch, `${side}-${round}`);
        if (side === 'empty') empty.push(cdkSynth(outdir, 'npx tsx bench/empty-app.ts'));
        else example.push(cdkSynth(outdir));
      }
      console.log(`  round ${round + 1}: empty app ${empty[round].toFixed(2)} s, example app ${example[round].toFixed(2)} s (${(example[round] / empty[round]).toFixed(2)}x)`);
    }
    const baseline = median(empty);
    const synthRatio = median(example) / baseline;
    console.log(`Empty app synth (median of ${rounds}): ${baseline.toFixed(2)} s`);
    console.log(`Example app synth ÷ empty app: ${synthRatio.toFixed(2)}x (${median(example).toFixed(2)} s; target ≤ ${SYNTH_TARGET}x: ${synthRatio <= SYNTH_TARGET ? 'met' : 'NOT met'})`);
    if (process.env.BENCH_SYNTH_SKIP_TEST === '1') {
      console.log('npm test ÷ empty app synth: not measured (BENCH_SYNTH_SKIP_TEST=1)');
      return;
    }
    const jestReport = path.join(scratch, 'jest.json');
    const test = timed('npm', ['test', '--silent', '--', '--json', `--outputFile=${jestReport}`], { SYNTH_CACHE_DIR: path.join(scratch, 'synth-cache') }, true);
    const testRatio = test / baseline;
    const files: { name: string; startTime: number; endTime: number }[] = fs.existsSync(jestReport) ? JSON.parse(fs.readFileSync(jestReport, 'utf8')).testResults : [];
    console.log('Slowest test files (s, as the two workers ran them):');
    for (const f of files.sort((a, b) => (b.endTime - b.startTime) - (a.endTime - a.startTime)).slice(0, 8)) {
      console.log(`  ${((f.endTime - f.startTime) / 1000).toFixed(1).padStart(6)}  ${path.relative(ROOT, f.name)}`);
    }
    console.log(`npm test ÷ empty app synth: ${testRatio.toFixed(1)}x (${test.toFixed(1)} s, cold synth cache; target ≤ ${TEST_TARGET}x: ${testRatio <= TEST_TARGET ? 'met' : 'NOT met'})`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
