/**
 * `npm run build:handlers`: bundles every handler `lambda/<name>/index.ts` once into
 * `dist/handlers/<asset>/` (esbuild: minified, external source map, Node.js 24, CommonJS, `@aws-sdk/*`
 * left to the Lambda runtime), installs the native modules of `NATIVE_MODULES` beside the bundle once
 * per architecture (Linux, glibc), and writes `dist/handlers/manifest.json`, which
 * `createHandlerFunction` reads. Skips the work when the manifest's source hash is current (`--force`
 * rebuilds). Safe to run from several processes at once: one builds, the others wait and reuse.
 *
 * Native modules are installed with npm for the target platform (`npm_config_os/cpu/libc`) into a
 * cache under `dist/.cache/` (the project's node_modules is never touched); that install is the
 * only step that needs the registry (or npm's cache), and only when the module's locked version changes.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { build } from 'esbuild';
import { HANDLERS_DIR, type HandlerManifest, handlerSourceHash } from '../lib/private/node-function';

/** Handlers whose packages are native code: installed beside the bundle, per architecture, not bundled. */
export const NATIVE_MODULES: { readonly [handlerName: string]: readonly string[] } = { thumbnail: ['sharp'] };

/** Lambda architecture name (`lambda.Architecture.name`) -> npm's `cpu`. */
const ARCHITECTURES = { arm64: 'arm64', x86_64: 'x64' } as const;

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, HANDLERS_DIR);
const LOCK = `${OUT}.lock`;
const LOCK_WAIT_MS = 10 * 60_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock folder holding the owner's pid; a lock whose owner has died is taken over. */
function acquireLock(): void {
  const deadline = Date.now() + LOCK_WAIT_MS;
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    } catch {
      // the owner has created the folder but not yet written its pid
    }
    if (Number.isInteger(owner) && !isAlive(owner)) {
      fs.rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`build-handlers: ${LOCK} is still held by process ${owner}; remove it if that process is gone.`);
    sleep(200);
  }
}

function currentManifest(): HandlerManifest | undefined {
  const file = path.join(OUT, 'manifest.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

function lockedVersion(module: string): string {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const version = lock.packages?.[`node_modules/${module}`]?.version;
  if (!version) throw new Error(`build-handlers: ${module} is not in package-lock.json; add it to devDependencies.`);
  return version;
}

/** `node_modules` with `module` (and its dependencies) for Linux on `cpu`, installed once per version. */
function nativeModules(module: string, cpu: string): string {
  const version = lockedVersion(module);
  const dir = path.join(ROOT, 'dist', '.cache', 'native', `${module}@${version}-linux-${cpu}-glibc`);
  if (!fs.existsSync(dir)) {
    const tmp = `${dir}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'native-modules', private: true, dependencies: { [module]: version } }));
    // npm picks optional platform packages (sharp's @img/sharp-linux-arm64, ...) from these, so the
    // binaries match the Lambda's architecture whatever machine builds the package.
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--omit=dev', '--ignore-scripts', '--loglevel=error'], {
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, npm_config_os: 'linux', npm_config_cpu: cpu, npm_config_libc: 'glibc' },
    });
    fs.rmSync(path.join(tmp, 'package.json'));
    fs.renameSync(tmp, dir);
  }
  return path.join(dir, 'node_modules');
}

async function bundle(handler: string, outdir: string, external: readonly string[]): Promise<void> {
  await build({
    entryPoints: [path.join(ROOT, 'lambda', handler, 'index.ts')],
    outfile: path.join(outdir, 'index.js'),
    bundle: true,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    external: ['@aws-sdk/*', ...external],
    logLevel: 'warning',
  });
}

async function buildAll(sourceHash: string): Promise<void> {
  const handlers = fs.readdirSync(path.join(ROOT, 'lambda')).filter((name) => fs.existsSync(path.join(ROOT, 'lambda', name, 'index.ts'))).sort();
  const staging = `${OUT}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const assets: Record<string, Record<string, string>> = {};
  const builds: Promise<void>[] = [];
  for (const handler of handlers) {
    const native = NATIVE_MODULES[handler] ?? [];
    if (native.length === 0) {
      assets[handler] = { any: handler };
      builds.push(bundle(handler, path.join(staging, handler), []));
      continue;
    }
    assets[handler] = {};
    for (const [architecture, cpu] of Object.entries(ARCHITECTURES)) {
      const folder = `${handler}-${architecture}`;
      assets[handler][architecture] = folder;
      for (const module of native) {
        fs.cpSync(nativeModules(module, cpu), path.join(staging, folder, 'node_modules'), { recursive: true });
      }
      builds.push(bundle(handler, path.join(staging, folder), native));
    }
  }
  await Promise.all(builds);
  const manifest: HandlerManifest = { sourceHash, assets };
  fs.writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.renameSync(staging, OUT);
}

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  acquireLock();
  try {
    // computed under the lock: another process may have just built these sources
    const sourceHash = handlerSourceHash(ROOT);
    if (!force && currentManifest()?.sourceHash === sourceHash) return;
    const started = Date.now();
    await buildAll(sourceHash);
    process.stderr.write(`build-handlers: bundled ${Object.keys(currentManifest()!.assets).length} handlers into ${path.relative(ROOT, OUT)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
