/**
 * Captures what the process writes to stdout/stderr (where Powertools Logger writes its JSON lines) for
 * each test, keeps it out of the test output, and exposes the JSON log entries for assertions.
 */
export interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

export interface CapturedLogs {
  /** JSON log entries written during the current test, oldest first. */
  entries(): LogEntry[];
}

export function useCapturedLogs(): CapturedLogs {
  let lines: string[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeEach(() => {
    lines = [];
    for (const stream of [process.stdout, process.stderr]) {
      spies.push(
        jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
          lines.push(...String(chunk).split('\n').filter((l) => l.trim() !== ''));
          return true;
        }),
      );
    }
  });

  afterEach(() => {
    spies.splice(0).forEach((s) => s.mockRestore());
  });

  return {
    entries: () =>
      lines.flatMap((line) => {
        try {
          const parsed: unknown = JSON.parse(line);
          return typeof parsed === 'object' && parsed !== null && 'level' in parsed ? [parsed as LogEntry] : [];
        } catch {
          return [];
        }
      }),
  };
}
