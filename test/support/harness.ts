import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { testApp } from './app';
import { AcknowledgementLedger } from './contracts/acknowledgement-ledger';

/** Options of {@link synthesizeThroughHarness}. */
export interface HarnessOptions {
  /** Context for the app, e.g. a mode selected with `-c`. @default - none */
  readonly context?: Record<string, unknown>;
  /** Where synth writes the cloud assembly. @default - a new temporary directory */
  readonly outdir?: string;
}

/** True when the tree has a Lambda function, ours or one of aws-cdk-lib's custom-resource handlers. */
export function hasLambdaFunction(root: IConstruct): boolean {
  return root.node.findAll().some((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Lambda::Function');
}

/**
 * The verification harness every example stack goes through: AWS's CloudFormation validator with
 * cdk.json's strict flags, cdk-nag's AwsSolutions pack, and its Serverless pack whenever the app
 * has a Lambda function. Synth throws on any validator finding, any unacknowledged cdk-nag finding
 * and any unacknowledged construct warning; afterwards the harness throws on any acknowledgement
 * that hid no finding. Otherwise the stack's template is returned for further assertions.
 */
export function synthesizeThroughHarness(build: (app: App) => Stack, options: HarnessOptions = {}): Template {
  const app = testApp({ validation: true, context: options.context, outdir: options.outdir });
  const stack = build(app);
  const ledger = new AcknowledgementLedger();
  Validations.of(app).addPlugins(ledger.watch(new AwsSolutionsChecks(app)));
  if (hasLambdaFunction(app)) {
    Validations.of(app).addPlugins(ledger.watch(new ServerlessChecks(app)));
  }
  const assembly = app.synth();
  ledger.readValidationReport(assembly.directory);
  assertEveryAcknowledgementMatches(app, ledger);
  return Template.fromStack(stack);
}

/** Throws when an acknowledgement under `root` hid no finding of the packs the ledger watched. */
export function assertEveryAcknowledgementMatches(root: IConstruct, ledger: AcknowledgementLedger): void {
  const unmatched = ledger.unmatched(root);
  if (unmatched.length > 0) {
    const ran = ledger.prefixes.map((p) => `${p}*`).join(', ');
    throw new Error(`${unmatched.length} acknowledgement(s) match no finding of the packs that ran (${ran}); remove them, `
      + `or move them to the construct the finding is on:\n${unmatched.map((a) => `  ${a.id} at ${a.path}`).join('\n')}`);
  }
}
