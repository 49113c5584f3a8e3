#!/usr/bin/env node
/**
 * `npm test`: the type check (`tsc --noEmit -p .`), the linter (`npm run lint`) and jest at the same time,
 * since ts-jest only transpiles. Jest's output streams as usual; tsc's and eslint's are printed once jest
 * ends. Fails if any fails. Arguments go to jest (`npm test -- test/stacks`).
 */
const { spawn } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..', '..');
/** What `npm run lint` lints (package.json). */
const LINTED = require('../../package.json').scripts.lint.split(' ').slice(1);
const started = Date.now();

/** Runs `script` with this Node.js; resolves with its exit code and, unless `inherit`, its output. */
function run(script, args, inherit) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let output = '';
    if (!inherit) {
      child.stdout.on('data', (d) => { output += d; });
      child.stderr.on('data', (d) => { output += d; });
    }
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output, seconds: ((Date.now() - started) / 1000).toFixed(1) }));
  });
}

async function main() {
  const typecheck = run(require.resolve('typescript/bin/tsc'), ['--noEmit', '-p', '.'], false);
  const linting = run(path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js'), LINTED, false);
  const jest = await run(require.resolve('jest/bin/jest'), process.argv.slice(2), true);
  const checks = [['Type check (tsc --noEmit -p .)', await typecheck], ['Lint (npm run lint)', await linting]];
  for (const [name, result] of checks) {
    if (result.code === 0) {
      console.log(`${name}: passed in ${result.seconds} s`);
    } else {
      console.error(`${name}: FAILED in ${result.seconds} s\n${result.output}`);
    }
  }
  process.exitCode = jest.code !== 0 ? jest.code : checks.map(([, result]) => result.code).find((code) => code !== 0) ?? 0;
}

main();
