import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HANDLERS_DIR, handlerSourceHash } from '../../lib/private/node-function';

/**
 * Jest `globalSetup`: builds the prebuilt handlers (`scripts/build-handlers.ts`) before the workers start
 * when their sources changed, so no test file waits on another's build, and keeps the build's report out
 * of a passing run (it is printed when the build fails).
 */
export default function globalSetup(): void {
  const root = path.join(__dirname, '..', '..');
  const manifest = path.join(root, HANDLERS_DIR, 'manifest.json');
  const built = fs.existsSync(manifest) ? (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { sourceHash?: string }).sourceHash : undefined;
  if (built === handlerSourceHash(root)) return;
  try {
    execFileSync(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts', 'build-handlers.ts')], { cwd: root, stdio: 'pipe' });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`building the handlers failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: e });
  }
}
