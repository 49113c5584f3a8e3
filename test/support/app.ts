import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
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
