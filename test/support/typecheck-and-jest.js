#!/usr/bin/env node
/**
 * `npm test`: the type check (`tsc --noEmit -p .`) and jest at the same time, since ts-jest only
 * transpiles. Jest's output streams as usual; tsc's is printed once jest ends. Fails if either fails.
 * Arguments go to jest (`npm test -- test/stacks`).
 */
const { spawn } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..', '..');
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
  const jest = await run(require.resolve('jest/bin/jest'), process.argv.slice(2), true);
  const tsc = await typecheck;
  if (tsc.code === 0) {
    console.log(`Type check (tsc --noEmit -p .): passed in ${tsc.seconds} s`);
  } else {
    console.error(`Type check (tsc --noEmit -p .): FAILED in ${tsc.seconds} s\n${tsc.output}`);
  }
  process.exitCode = jest.code !== 0 ? jest.code : tsc.code;
}

main();
