import { Duration, Token } from 'aws-cdk-lib';

/**
 * Collects every configuration problem of one construct and throws them together,
 * so a user fixes all of them in one round instead of one per synth.
 *
 * Each problem names the construct, the prop, the bad value, the rule and the fix.
 */
export class ConfigErrors {
  private readonly problems: string[] = [];

  constructor(private readonly constructName: string, private readonly path: string) {}

  /** Record a problem with `prop` = `value`: `rule` explains what is required, `fix` what to do. */
  public add(prop: string, value: unknown, rule: string, fix: string): void {
    this.problems.push(`${prop} ${describe(value)}: ${rule}. Fix: ${fix}.`);
  }

  public get count(): number {
    return this.problems.length;
  }

  /** Throws one error listing every recorded problem; does nothing when there is none. */
  public throwIfAny(): void {
    if (this.problems.length === 0) {
      return;
    }
    const header = `${this.constructName} at '${this.path}' has ${this.problems.length} configuration error(s):`;
    throw new Error([header, ...this.problems.map((p) => `  - ${this.constructName}: ${p}`)].join('\n'));
  }
}

/** Records a problem unless `port` is a TCP port (1-65535) or a token. */
export function checkTcpPort(errors: ConfigErrors, prop: string, port: number, fix: string): void {
  if (isConcrete(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    errors.add(prop, port, 'TCP ports are whole numbers from 1 to 65535', fix);
  }
}

/** True when a number is known at synth time (not a token such as a CfnParameter). */
export function isConcrete(value: number | undefined): value is number {
  return value !== undefined && !Token.isUnresolved(value);
}

function describe(value: unknown): string {
  if (value === undefined) {
    return '(not set)';
  }
  // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: equivalent, the last line quotes a string the same way
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (value instanceof Duration) {
    return value.isUnresolved() ? '(token)' : `'${value.toHumanString()}'`;
  }
  return `'${String(value)}'`;
}
