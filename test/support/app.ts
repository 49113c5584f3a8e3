import * as fs from 'fs';
import * as path from 'path';
import { App, Environment, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { allowSynthWarnings } from './console-guard';

/** The context of cdk.json (feature flags and the strict validation flags), so tests synthesize like `cdk synth`. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

export interface TestAppOptions {
  /**
   * Run aws-cdk-lib's CloudFormation template validator (about 2 s of start-up per process).
   * @default false - construct unit tests skip it; the example-stack test turns it on
   */
  readonly validation?: boolean;
  /**
   * Bundle Lambda code with esbuild.
   * @default false - bundling is tested once on purpose, elsewhere it only costs time
   */
  readonly bundling?: boolean;
  /**
   * With cdk.json's strict flags, an unacknowledged warning fails synth. Tests that assert a
   * warning with `Annotations.fromStack` turn this off to read it instead.
   * @default true
   */
  readonly failOnWarnings?: boolean;
  /** Extra context, applied last. */
  readonly context?: Record<string, unknown>;
  /**
   * Where synth writes the cloud assembly.
   * @default - a new temporary directory
   */
  readonly outdir?: string;
}

/**
 * An App with the project's cdk.json context. With `failOnWarnings: false` its synth prints the warnings
 * the test reads, and the console guard lets that report through.
 */
export function testApp(options: TestAppOptions = {}): App {
  if (options.failOnWarnings === false) allowSynthWarnings();
  return new App({
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...(options.failOnWarnings ?? true ? {} : { '@aws-cdk/core:strictCfnValidateErrors': false }),
      ...options.context,
    },
    builtinCloudFormationValidation: options.validation ?? false,
    outdir: options.outdir,
  });
}

export interface TestStackOptions extends TestAppOptions {
  /**
   * The app the stack goes in; the other app options are ignored when it is given.
   * @default - a new `testApp(options)`
   */
  readonly app?: App;
  /**
   * The stack's construct ID.
   * @default 'TestStack'
   */
  readonly id?: string;
  /**
   * The stack's environment, for tests that need a concrete account or region.
   * @default - environment-agnostic, or `{ region }` when `region` is given
   */
  readonly env?: Environment;
  /**
   * The stack's region (shorthand for `env: { region }`).
   * @default - environment-agnostic
   */
  readonly region?: string;
}

/** A stack in a `testApp`, the starting point of a construct unit test. */
export function testStack(options: TestStackOptions = {}): Stack {
  const env = options.env ?? (options.region ? { region: options.region } : undefined);
  return new Stack(options.app ?? testApp(options), options.id ?? 'TestStack', env ? { env } : undefined);
}

export interface TestStackWithVpcOptions extends TestStackOptions {
  /**
   * Props of the VPC created in the stack (construct ID 'Vpc').
   * @default { maxAzs: 2, natGateways: 1 }
   */
  readonly vpcProps?: ec2.VpcProps;
}

/** A `testStack` with a VPC, for constructs that need one. */
export function testStackWithVpc(options: TestStackWithVpcOptions = {}): { stack: Stack; vpc: ec2.Vpc } {
  const stack = testStack(options);
  const vpc = new ec2.Vpc(stack, 'Vpc', options.vpcProps ?? { maxAzs: 2, natGateways: 1 });
  return { stack, vpc };
}
