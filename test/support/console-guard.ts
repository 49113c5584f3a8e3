/**
 * Jest setup file (`setupFilesAfterEnv`): a test that writes to the console fails, with the output in its
 * failure message, so a passing run prints only jest's summary. aws-cdk-lib prints validation reports and
 * other surprises through `console.error`; a test that expects output captures it with
 * `expectConsoleOutput()` and asserts on it.
 */
import { format } from 'util';

const METHODS = ['error', 'warn', 'log', 'info', 'debug'] as const;

/** One console call: the method and its formatted text. */
export interface ConsoleCall {
  readonly method: (typeof METHODS)[number];
  readonly text: string;
}

interface GuardState {
  /** Output nobody asked for, reported by the next afterEach/afterAll. */
  unexpected: ConsoleCall[];
  /** Where the current test's expected output goes, once it called `expectConsoleOutput()`. */
  expected?: ConsoleCall[];
}

// one state per test file, on globalThis so a module registry reset (jest.isolateModules) still finds it
const KEY = Symbol.for('cdk-reference-architectures.console-guard');
const globals = globalThis as unknown as Record<symbol, GuardState | undefined>;
const state: GuardState = globals[KEY] ?? (globals[KEY] = { unexpected: [] });

/** What the current test wrote to the console since it called `expectConsoleOutput()`. */
export interface ConsoleOutput {
  /** The calls, oldest first. */
  readonly calls: readonly ConsoleCall[];
  /** The calls' text, one per line. */
  text(): string;
}

/**
 * Lets the current test write to the console: everything written from now until the test ends is
 * recorded instead of failing the test. Call it inside the test, before the synth that warns (aws-cdk-lib
 * prints a synth's warnings through `console.error`), then assert on what was written.
 */
export function expectConsoleOutput(): ConsoleOutput {
  const calls = (state.expected ??= []);
  return { calls, text: () => calls.map((c) => c.text).join('\n') };
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

for (const method of METHODS) {
  console[method] = (...args: unknown[]): void => {
    (state.expected ?? state.unexpected).push({ method, text: format(...args) });
  };
}

afterEach(() => {
  state.expected = undefined;
  report('This test (or a beforeAll hook or the file body before it)');
});

afterAll(() => report('A beforeAll/afterAll hook of this file'));
