import { App, CfnParameter, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { testApp } from './app';
import { schemaStringFindings } from './schema-strings/schema-findings';

/*
 * The inputs users really pass, generated per prop kind: tokens (CfnParameter values and Lazy
 * values), two-stack apps (cycles, reference direction) and synth through AWS's template validator.
 * Each domain's matrix (`test/inputs/<domain>.test.ts`) lists its constructs' validated props by
 * kind and lets these helpers generate the cases.
 */

/** The kinds of validated props a token can stand in for. */
export type TokenKind = 'number' | 'string' | 'duration' | 'stringList';

/** One way to give a prop a value unknown at synth. */
export interface TokenCase {
  readonly label: string;
  /** A token of `kind`; `valid` is what a Lazy produces (a valid value, so the template stays deployable). */
  make(stack: Stack, kind: TokenKind, valid: unknown, id: string): unknown;
}

/** CfnParameter values and Lazy values, for every kind. */
export const TOKEN_CASES: TokenCase[] = [
  {
    label: 'CfnParameter',
    make: (stack, kind, valid, id) => {
      switch (kind) {
        case 'number': return new CfnParameter(stack, id, { type: 'Number', default: valid as number }).valueAsNumber;
        case 'string': return new CfnParameter(stack, id, { type: 'String', default: valid as string }).valueAsString;
        case 'stringList': return new CfnParameter(stack, id, { type: 'CommaDelimitedList', default: (valid as string[]).join(',') }).valueAsList;
        case 'duration': return Duration.seconds(new CfnParameter(stack, id, { type: 'Number', default: (valid as Duration).toSeconds() }).valueAsNumber);
      }
    },
  },
  {
    label: 'Lazy',
    make: (_stack, kind, valid) => {
      switch (kind) {
        case 'number': return Lazy.number({ produce: () => valid as number });
        case 'string': return Lazy.string({ produce: () => valid as string });
        case 'stringList': return Lazy.list({ produce: () => valid as string[] });
        case 'duration': return Duration.seconds(Lazy.number({ produce: () => (valid as Duration).toSeconds() }));
      }
    },
  },
];

/** Sets `value` at a dotted `path` (e.g. `dataVolume.iops`) in a copy of `props`. */
export function withProp<T extends object>(props: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const copy: Record<string, unknown> = { ...(props as Record<string, unknown>) };
  copy[head] = rest.length === 0 ? value : withProp((copy[head] ?? {}) as object, rest.join('.'), value);
  return copy as T;
}

/** An app as `cdk synth` builds it, with AWS's template validator on; warnings do not fail synth (tests read them). */
export function validatingApp(context: Record<string, unknown> = {}): App {
  return testApp({ validation: true, failOnWarnings: false, context });
}

/** Two stacks of one app in one environment: the usual producer/consumer split. */
export function twoStacks(app: App): { producer: Stack; consumer: Stack } {
  const env = { account: '123456789012', region: 'us-east-1' };
  return { producer: new Stack(app, 'Producer', { env }), consumer: new Stack(app, 'Consumer', { env }) };
}

/** The stacks each stack depends on, by stack name, after synth. */
export function stackDependencies(app: App): Record<string, string[]> {
  const assembly = app.synth();
  return Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.dependencies.map((d) => d.id).sort()]));
}

/**
 * Synthesizes the whole app (a dependency cycle, a construct's crash or a validator finding throws)
 * and returns what a user should look at: the schema-string findings of every stack.
 */
export function synthesizeAll(app: App): string[] {
  app.synth();
  return app.node.findAll().filter((c): c is Stack => Stack.isStack(c))
    .flatMap((s) => schemaStringFindings(s).map((f) => `${s.stackName} ${f.logicalId} ${f.propertyPath}: ${f.message.slice(0, 160)}`));
}

/** Error-level annotations of a stack (a construct's synth-time rejection that did not throw). */
export function errorsOf(stack: Stack): string[] {
  return Annotations.fromStack(stack).findError('*', Match.anyValue()).map((m) => String(m.entry.data));
}

/** True when a value is a token (sanity check of the generated cases). */
export const isToken = (value: unknown): boolean => Token.isUnresolved(value)
  || (value instanceof Duration && value.isUnresolved())
  || (Array.isArray(value) && value.some((v) => Token.isUnresolved(v)));

/** A validated prop of a construct, by dotted path, with its kind and a valid value (what a Lazy produces). */
export interface TokenProp {
  readonly kind: TokenKind;
  readonly valid: unknown;
  /**
   * Set when the prop must be concrete (it feeds an ID or a count of resources): a token is
   * rejected with an error matching this. @default - a token is accepted
   */
  readonly rejectsTokenWith?: RegExp;
}

/** One exported construct's entry in the inputs matrix. */
export interface ConstructInputs {
  /** The exported class name, e.g. `QueueWorker`. */
  readonly construct: string;
  /** Builds the construct under `scope` with `props` (the minimal props with the case's changes). */
  build(scope: Construct, id: string, props: any): void;
  /** Props that build it with as little as possible (may be a function of the stack for resources). */
  baseProps(scope: Construct): Record<string, unknown>;
  /** Every prop the construct validates (numbers, strings, durations, lists), by dotted path. */
  readonly tokenProps: Record<string, TokenProp>;
}

/**
 * Generates, for every construct and every validated prop, one test per token case: the app
 * synthesizes through AWS's validator with no schema-string finding (or, for props that must be
 * concrete, the construct's own error names the prop).
 */
export function describeTokenMatrix(inputs: ConstructInputs[]): void {
  const cases = inputs.flatMap((entry) => Object.entries(entry.tokenProps).flatMap(([prop, spec]) =>
    TOKEN_CASES.map((tokenCase) => ({ name: `${entry.construct}.${prop} as ${tokenCase.label}`, entry, prop, spec, tokenCase }))));
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const app = validatingApp();
    const stack = new Stack(app, 'Tokens', { env: { account: '123456789012', region: 'us-east-1' } });
    const value = c.tokenCase.make(stack, c.spec.kind, c.spec.valid, 'Param');
    expect(isToken(value)).toBe(true);
    const build = () => {
      c.entry.build(stack, 'UnderTest', withProp(c.entry.baseProps(stack), c.prop, value));
      return synthesizeAll(app);
    };
    if (c.spec.rejectsTokenWith) {
      expect(build).toThrow(c.spec.rejectsTokenWith);
    } else {
      expect(build()).toEqual([]);
    }
  });
}

/**
 * Tag values over 256 characters anywhere in a template (EC2, IAM and most services take at most
 * 256); the bundled schemas do not declare it for every resource type (EC2 subnets, launch templates).
 */
export function longTags(node: unknown, path = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => longTags(n, `${path}.${i}`));
  if (node === null || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  const own = typeof o.Key === 'string' && typeof o.Value === 'string' && o.Value.length > 256 ? [`tag ${o.Key} at ${path}: ${o.Value.length} characters`] : [];
  return [...own, ...Object.entries(o).flatMap(([k, v]) => longTags(v, `${path}.${k}`))];
}
