import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { testApp } from '../app';
import { Deployment, ResolvedTemplate, TemplateJson } from './resolve-template';

/** The account and regions every contract check resolves templates against. */
export const TEST_ACCOUNT = '111111111111';
export const TEST_REGION = 'eu-west-1';
export const OTHER_REGION = 'us-west-2';

/** A synthesized template resolved for the test account and `region`. */
export function resolveFor(template: Template | TemplateJson, stackName: string, region = TEST_REGION): ResolvedTemplate {
  const json = (template instanceof Template ? template.toJSON() : template) as TemplateJson;
  const deployment: Deployment = { account: TEST_ACCOUNT, region, stackName };
  return new ResolvedTemplate(json, deployment);
}

/**
 * The same example built a second time under another stack name (inside a Stage, which prefixes
 * the stack name), without validator or cdk-nag: what `cdk deploy` of a second copy would create.
 */
export function synthesizeCopy(build: (app: App) => Stack, context: Record<string, unknown> = {}): { stackName: string; template: Template } {
  const app = testApp({ context });
  const stage = new Stage(app, 'Copy');
  // a Stage is a construct scope like an App for the stacks built in it
  const stack = build(stage as unknown as App);
  return { stackName: stack.stackName, template: Template.fromStack(stack) };
}
