import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { MissingContext } from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { EXAMPLE_VARIANTS, ExampleVariant } from './example-variants';
import { synthesizeThroughHarness } from './harness';

/**
 * Every example variant goes through the harness (validator, cdk-nag, acknowledgement hygiene) once
 * per change of its inputs, not once per test file: the first file that needs a variant synthesizes
 * it into a cache directory and the other files (and jest workers, and later runs) read the cloud
 * assembly from there. Entries are keyed by a hash of everything a synth reads (`lib/`, `lambda/`,
 * `bin/`, `test/support/`, cdk.json, the package manifests, the installed aws-cdk-lib, cdk-nag and
 * constructs, the Node.js version and the `CDK_*` environment) and the variant's context, so a
 * change to any of them synthesizes afresh. `SYNTH_CACHE_DIR` moves the cache (a new directory: a
 * cold run).
 */

/** A synth takes 1-10 s; a hook that synthesizes every variant gets this long. */
export const SYNTH_TIMEOUT_MS = 600_000;

const ROOT = path.join(__dirname, '..', '..');
const HASHED_DIRS = ['lib', 'lambda', 'bin', 'test/support'];
const HASHED_FILES = ['cdk.json', 'package.json', 'package-lock.json', 'tsconfig.json'];
const HASHED_PACKAGES = ['aws-cdk-lib', 'cdk-nag', 'constructs'];
/** A failed synth is reused by the other files of a run, then retried. */
const FAILURE_TTL_MS = 10 * 60_000;
/** A lock older than this is abandoned (its holder hangs or was killed). */
const STALE_LOCK_MS = 10 * 60_000;
/** Cache directories of other source states unused for this long are removed. */
const PRUNE_AFTER_MS = 24 * 3600_000;

/** One stack of a synthesized variant's app. */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly template: Template;
  /** The stack's fixed region. @default - environment-agnostic */
  readonly region?: string;
}

/** An example variant as the harness synthesized it. */
export interface SynthesizedVariant {
  /** The stack under test. */
  readonly stack: SynthesizedStack;
  /** Its template (`stack.template`). */
  readonly template: Template;
  /** Every stack of the variant's app, the stack under test included. */
  readonly stacks: readonly SynthesizedStack[];
  /** The context lookups synth could not answer (`manifest.missing`). */
  readonly missing: readonly MissingContext[];
}

interface EntryResult {
  readonly ok: boolean;
  readonly artifactId?: string;
  readonly error?: string;
  readonly at: number;
}

/**
 * The hash of everything under `root` a synth reads: the files of {@link HASHED_DIRS} and
 * {@link HASHED_FILES}, the installed versions of {@link HASHED_PACKAGES}, Node.js and `CDK_*`.
 */
export function hashSources(root: string): string {
  const hash = crypto.createHash('sha256');
  const add = (file: string) => {
    hash.update(`${path.relative(root, file)}\0`);
    hash.update(fs.existsSync(file) ? fs.readFileSync(file) : '(none)');
    hash.update('\0');
  };
  const walk = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : [])
    .filter((e) => e.name !== 'node_modules' && e.name !== '__snapshots__')
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const dir of HASHED_DIRS) walk(path.join(root, dir)).sort().forEach(add);
  for (const file of HASHED_FILES) add(path.join(root, file));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package name is only known at run time
  for (const pkg of HASHED_PACKAGES) hash.update(`${pkg}@${require(`${pkg}/package.json`).version}\0`);
  hash.update(`${process.version}\0`);
  for (const name of Object.keys(process.env).filter((n) => n.startsWith('CDK_')).sort()) hash.update(`${name}=${process.env[name]}\0`);
  return hash.digest('hex').slice(0, 20);
}

let sourceHash: string | undefined;

/** The cache directory of the current sources. */
export function cacheDirectory(): string {
  sourceHash ??= hashSources(ROOT);
  return path.join(process.env.SYNTH_CACHE_DIR ?? path.join(os.tmpdir(), 'cdk-reference-architectures-synth'), sourceHash);
}

/** The cache entry of a variant: its key and context. */
export function entryDirectory(key: string, variants: Record<string, ExampleVariant> = EXAMPLE_VARIANTS): string {
  const variant = variantOf(key, variants);
  const id = crypto.createHash('sha256').update(JSON.stringify([key, variant.context])).digest('hex').slice(0, 12);
  return path.join(cacheDirectory(), `${key.replace(/[^\w-]+/g, '_').slice(0, 60)}-${id}`);
}

function variantOf(key: string, variants: Record<string, ExampleVariant>): ExampleVariant {
  const variant = variants[key];
  if (!variant) throw new Error(`no example variant '${key}'; the variants are ${Object.keys(variants).join(', ')}`);
  return variant;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readResult(entry: string): EntryResult | undefined {
  try {
    const result: EntryResult = JSON.parse(fs.readFileSync(path.join(entry, 'result.json'), 'utf8'));
    if (!result.ok && Date.now() - result.at > FAILURE_TTL_MS) {
      fs.rmSync(entry, { recursive: true, force: true });
      return undefined;
    }
    return result;
  } catch {
    return undefined;
  }
}

/** Takes the entry's lock (a directory: creating it is atomic), breaking one whose holder is gone. */
function tryLock(entry: string): boolean {
  const lock = `${entry}.lock`;
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  try {
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'owner'), `${os.hostname()} ${process.pid}`);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (lockAbandoned(lock)) {
    fs.rmSync(lock, { recursive: true, force: true });
    return tryLock(entry);
  }
  return false;
}

function lockAbandoned(lock: string): boolean {
  try {
    if (Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS) return true;
    const [host, pid] = fs.readFileSync(path.join(lock, 'owner'), 'utf8').split(' ');
    if (host !== os.hostname()) return false;
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    // ESRCH: the holder died; ENOENT: released meanwhile, or the owner file is not written yet
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Synthesizes the variant through the harness into a new directory and moves it into place. */
function synthesizeEntry(variant: ExampleVariant, entry: string): void {
  const staging = `${entry}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.mkdirSync(staging, { recursive: true });
  let result: EntryResult;
  try {
    let artifactId = '';
    synthesizeThroughHarness((app) => {
      const stack = variant.build(app);
      artifactId = stack.artifactId;
      return stack;
    }, { context: variant.context, outdir: path.join(staging, 'assembly') });
    result = { ok: true, artifactId, at: Date.now() };
  } catch (error) {
    result = { ok: false, error: error instanceof Error ? error.message : String(error), at: Date.now() };
  }
  fs.writeFileSync(path.join(staging, 'result.json'), JSON.stringify(result));
  try {
    fs.renameSync(staging, entry);
  } catch {
    // another process finished the same entry first (its lock was taken as abandoned)
    fs.rmSync(staging, { recursive: true, force: true });
  }
  pruneOnce();
}

let pruned = false;

function pruneOnce(): void {
  if (pruned) return;
  pruned = true;
  const parent = path.dirname(cacheDirectory());
  for (const name of fs.readdirSync(parent)) {
    const dir = path.join(parent, name);
    if (dir !== cacheDirectory() && Date.now() - fs.statSync(dir).mtimeMs > PRUNE_AFTER_MS) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Makes sure every variant in `keys` is in the cache: synthesizes those no other process is
 * synthesizing, then waits for the rest. Test files call it in a top-level `beforeAll` (with
 * {@link SYNTH_TIMEOUT_MS}), so that files running at the same time share the work.
 */
export function synthesizeVariants(keys: readonly string[], variants: Record<string, ExampleVariant> = EXAMPLE_VARIANTS): void {
  keys.forEach((key) => variantOf(key, variants));
  const pending = new Set(keys);
  const deadline = Date.now() + SYNTH_TIMEOUT_MS;
  while (pending.size > 0) {
    let progressed = false;
    for (const key of pending) {
      const entry = entryDirectory(key, variants);
      if (readResult(entry)) {
        pending.delete(key);
      } else if (tryLock(entry)) {
        try {
          if (!readResult(entry)) synthesizeEntry(variants[key], entry);
        } finally {
          fs.rmSync(`${entry}.lock`, { recursive: true, force: true });
        }
        pending.delete(key);
        progressed = true;
      }
    }
    if (pending.size > 0 && !progressed) {
      if (Date.now() > deadline) throw new Error(`waited ${SYNTH_TIMEOUT_MS} ms for other processes to synthesize ${[...pending].join(', ')} (locks in ${cacheDirectory()})`);
      sleep(100);
    }
  }
}

/**
 * The variant as the harness synthesized it (synthesizing it first if needed). Throws the harness's
 * error when the variant failed it.
 */
export function synthesizedVariant(key: string, variants: Record<string, ExampleVariant> = EXAMPLE_VARIANTS): SynthesizedVariant {
  synthesizeVariants([key], variants);
  const entry = entryDirectory(key, variants);
  const result = readResult(entry);
  if (!result) throw new Error(`the cache entry of ${key} vanished (${entry})`);
  if (!result.ok) throw new Error(result.error);
  const assembly = new cxapi.CloudAssembly(path.join(entry, 'assembly'));
  const stacks = assembly.stacksRecursively.map((artifact) => ({
    artifactId: artifact.id,
    stackName: artifact.stackName,
    template: Template.fromJSON(artifact.template),
    region: artifact.environment.region === cxapi.UNKNOWN_REGION ? undefined : artifact.environment.region,
  }));
  const stack = stacks.find((s) => s.artifactId === result.artifactId);
  if (!stack) throw new Error(`${key}: stack ${result.artifactId} is not in ${entry}`);
  return { stack, template: stack.template, stacks, missing: assembly.manifest.missing ?? [] };
}
