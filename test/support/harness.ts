import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { testApp } from './app';

/** Options of {@link synthesizeThroughHarness}. */
export interface HarnessOptions {
  /** Also run cdk-nag's Serverless pack (messaging and Lambda-centred stacks). @default false */
  readonly serverless?: boolean;
  /** Context for the app, e.g. a mode selected with `-c`. @default - none */
  readonly context?: Record<string, unknown>;
}

/**
 * The verification harness every example stack goes through: AWS's CloudFormation validator with
 * cdk.json's strict flags, and cdk-nag's AwsSolutions pack (plus Serverless when asked). Synth
 * throws on any validator finding, any unacknowledged cdk-nag finding and any unacknowledged
 * construct warning; otherwise the stack's template is returned for further assertions.
 */
export function synthesizeThroughHarness(build: (app: App) => Stack, options: HarnessOptions = {}): Template {
  const app = testApp({ validation: true, context: options.context });
  const stack = build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  if (options.serverless) {
    Validations.of(app).addPlugins(new ServerlessChecks(app));
  }
  app.synth();
  return Template.fromStack(stack);
}
