import { App, Stack } from 'aws-cdk-lib';
import { EXAMPLE_STACKS } from '../../lib/stacks';
import { createCloudFrontWafAlbStacks } from '../../lib/stacks/cloudfront-waf-alb-stack';

/** One deployable variant of an example stack: a stack name plus the `-c` context that selects its mode. */
export interface ExampleVariant {
  /** The stack's name (`cdk deploy <stackName>`). */
  readonly stackName: string;
  /** Context that selects the mode, as `-c key=value` would pass it. */
  readonly context: Record<string, string>;
  /** Builds the variant in `app` and returns the stack under test. */
  readonly build: (app: App) => Stack;
}

/**
 * Every example stack in every context mode, keyed `StackName` or `StackName -c key=value`:
 * the list class checks iterate so that no stack or mode goes unchecked. The default modes come
 * from `EXAMPLE_STACKS` (what `bin/app.ts` deploys); the others are listed here.
 */
export const EXAMPLE_VARIANTS: Record<string, ExampleVariant> = {
  ...Object.fromEntries(Object.entries(EXAMPLE_STACKS).map(([stackName, entry]) => [stackName, {
    stackName, context: {}, build: (app: App) => entry.build(app, stackName),
  }])),
  'HaInstance -c haInstanceMode=eip': {
    stackName: 'HaInstance', context: { haInstanceMode: 'eip' },
    build: (app) => EXAMPLE_STACKS.HaInstance.build(app, 'HaInstance'),
  },
  'Bastion -c bastionMode=nlb': {
    stackName: 'Bastion', context: { bastionMode: 'nlb' },
    build: (app) => EXAMPLE_STACKS.Bastion.build(app, 'Bastion'),
  },
  'CloudFrontWafAlb -c cloudFrontOriginMode=public-alb': {
    stackName: 'CloudFrontWafAlb', context: { cloudFrontOriginMode: 'public-alb' },
    build: (app) => EXAMPLE_STACKS.CloudFrontWafAlb.build(app, 'CloudFrontWafAlb'),
  },
  // the CLOUDFRONT-scope web ACL stack (us-east-1) that CloudFrontWafAlb deploys alongside itself
  CloudFrontWafAlbWebAcl: {
    stackName: 'CloudFrontWafAlbWebAcl', context: {},
    build: (app) => createCloudFrontWafAlbStacks(app, 'CloudFrontWafAlb', 'CloudFront + WAF in front of an internal ALB').webAclStack,
  },
  // the distribution's alarms (us-east-1, where CloudFront metrics live), deployed after CloudFrontWafAlb
  CloudFrontWafAlbAlarms: {
    stackName: 'CloudFrontWafAlbAlarms', context: {},
    build: (app) => createCloudFrontWafAlbStacks(app, 'CloudFrontWafAlb', 'CloudFront + WAF in front of an internal ALB').alarmsStack,
  },
  // count-only WAF rollout: adds the alarm on counted requests
  'WafAlb -c wafCountOnly=true': {
    stackName: 'WafAlb', context: { wafCountOnly: 'true' },
    build: (app) => EXAMPLE_STACKS.WafAlb.build(app, 'WafAlb'),
  },
  'CloudFrontWafAlbWebAcl -c wafCountOnly=true': {
    stackName: 'CloudFrontWafAlbWebAcl', context: { wafCountOnly: 'true' },
    build: (app) => createCloudFrontWafAlbStacks(app, 'CloudFrontWafAlb', 'CloudFront + WAF in front of an internal ALB').webAclStack,
  },
};
