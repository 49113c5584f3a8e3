/**
 * Jest setup file (`setupFilesAfterEnv`): a test that writes to the console fails, with the output in its
 * failure message, so a passing run prints only jest's summary. A test that expects output captures it
 * with `expectConsoleOutput()` and asserts on it. aws-cdk-lib prints a synth's warnings through
 * `console.error` when they do not fail it: `testApp({ failOnWarnings: false })` (an app whose test reads
 * warnings with `Annotations.fromStack`) lets that report through `allowSynthWarnings()`, and nothing else.
 */
import { format } from 'util';

const METHODS = ['error', 'warn', 'log', 'info', 'debug'] as const;

/** One console call: the method and its formatted text. */
export interface ConsoleCall {
  readonly method: (typeof METHODS)[number];
  readonly text: string;
}

/** What the current test wrote to the console since it called `expectConsoleOutput()`. */
export interface ConsoleOutput {
  /** The calls, oldest first. */
  readonly calls: readonly ConsoleCall[];
  /** The calls' text, one per line. */
  text(): string;
}

interface GuardState {
  installed: boolean;
  /** Output nobody asked for, reported by the next afterEach/afterAll. */
  unexpected: ConsoleCall[];
  /** Where the current test's expected output goes, once it called `expectConsoleOutput()`. */
  expected?: ConsoleCall[];
  /** Whether warnings-only synth reports are allowed: in the current test, or in the whole file. */
  synthWarnings?: 'test' | 'file';
}

// one state per test file, on globalThis so a module registry reset (jest.isolateModules) shares it
const KEY = Symbol.for('cdk-reference-architectures.console-guard');
const globals = globalThis as unknown as Record<symbol, GuardState | undefined>;
const state: GuardState = globals[KEY] ?? (globals[KEY] = { installed: false, unexpected: [] });

/**
 * Lets the current test write to the console: everything written from now until the test ends is
 * recorded instead of failing the test. Call it inside the test, before the synth that prints, then
 * assert on what was written.
 */
export function expectConsoleOutput(): ConsoleOutput {
  const calls = (state.expected ??= []);
  return { calls, text: () => calls.map((c) => c.text).join('\n') };
}

/**
 * Lets synths print aws-cdk-lib's validation report while it holds warnings only (no error): until the
 * current test ends, or, called outside a test (describe body, beforeAll), until the file ends.
 */
export function allowSynthWarnings(): void {
  const inTest = typeof expect === 'function' && expect.getState().currentTestName !== undefined;
  if (state.synthWarnings !== 'file') state.synthWarnings = inTest ? 'test' : 'file';
}

/** aws-cdk-lib's synth validation report (`console.error`), with no error-level finding in it. */
function isWarningsReport(call: ConsoleCall): boolean {
  return call.method === 'error' && call.text.includes('A copy of this report can be found in: ') && !/^ERROR /m.test(call.text);
}

function report(where: string): void {
  const calls = state.unexpected.splice(0);
  if (calls.length === 0) return;
  const text = calls.map((c) => `console.${c.method}: ${c.text}`).join('\n');
  throw new Error(
    `${where} wrote to the console (${calls.length} call(s)). Assert expected output with expectConsoleOutput() ` +
    `from test/support/console-guard, or fix its cause:\n${text}`,
  );
}

if (!state.installed && typeof afterEach === 'function') {
  state.installed = true;
  for (const method of METHODS) {
    console[method] = (...args: unknown[]): void => {
      const call: ConsoleCall = { method, text: format(...args) };
      if (state.expected) state.expected.push(call);
      else if (!(state.synthWarnings && isWarningsReport(call))) state.unexpected.push(call);
    };
  }

  afterEach(() => {
    state.expected = undefined;
    if (state.synthWarnings === 'test') state.synthWarnings = undefined;
    report('This test (or a beforeAll hook or the file body before it)');
  });

  afterAll(() => {
    state.synthWarnings = undefined;
    report('A beforeAll/afterAll hook of this file');
  });
}
