import { App, Mixins, RemovalPolicies, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BastionStack } from './bastion-stack';
import { BlockIpAlbStack } from './block-ip-alb-stack';
import { BlockIpNlbStack } from './block-ip-nlb-stack';
import { BlockIpPublicEc2Stack } from './block-ip-public-ec2-stack';
import { CachedApiStack } from './cached-api-stack';
import { createCloudFrontWafAlbStacks } from './cloudfront-waf-alb-stack';
import { FanOutStack } from './fan-out-stack';
import { HaInstanceStack } from './ha-instance-stack';
import { HpcStack } from './hpc-stack';
import { QueueWorkersStack } from './queue-workers-stack';
import { StaticSiteStack } from './static-site-stack';
import { ThumbnailsStack } from './thumbnails-stack';
import { WafAlbStack } from './waf-alb-stack';

/** An example stack's short, stable name (the `cdk deploy <name>` argument) and how to build it. */
export interface ExampleStackEntry {
  readonly build: (app: App, id: string) => Stack;
}

/**
 * Every example stack, keyed by its stack name. `bin/app.ts` instantiates all of them and the
 * example-stack tests iterate this same list, so nothing deployable goes untested.
 */
export const EXAMPLE_STACKS: Record<string, ExampleStackEntry> = {
  FanOut: {
    build: (app, id) => new FanOutStack(app, id, {
      description: 'SNS fan-out to filtered SQS queues, Lambda workers and an SNS-to-Lambda subscriber',
    }),
  },
  QueueWorkers: {
    build: (app, id) => new QueueWorkersStack(app, id, {
      description: 'SQS standard and FIFO queues consumed by Lambda with partial batch responses',
    }),
  },
  Thumbnails: {
    build: (app, id) => new ThumbnailsStack(app, id, {
      description: 'S3 uploads -> SQS -> sharp Lambda -> thumbnails bucket',
    }),
  },
  HaInstance: {
    build: (app, id) => new HaInstanceStack(app, id, {
      description: 'One EC2 instance kept alive by an Auto Scaling group over 2 AZs, with a data volume (-c haInstanceMode=ebs) or an Elastic IP (-c haInstanceMode=eip)',
    }),
  },
  Bastion: {
    build: (app, id) => new BastionStack(app, id, {
      description: 'Highly available bastion: one host with an Elastic IP (-c bastionMode=eip) or two behind an NLB (-c bastionMode=nlb)',
    }),
  },
  BlockIpPublicEc2: {
    build: (app, id) => new BlockIpPublicEc2Stack(app, id, { description: 'Blocking IPs: EC2 with a public IP behind NACL deny entries, an allow-list security group and nftables' }),
  },
  BlockIpAlb: {
    build: (app, id) => new BlockIpAlbStack(app, id, { description: 'Blocking IPs: public ALB, private instance, NACL deny entries on the ALB subnets' }),
  },
  BlockIpNlb: {
    build: (app, id) => new BlockIpNlbStack(app, id, { description: 'Blocking IPs: NLB with a security group, client IPs preserved, NACL deny entries' }),
  },
  WafAlb: {
    build: (app, id) => new WafAlbStack(app, id, { description: 'Blocking IPs: ALB with a regional WAF web ACL (IP sets, rate limit, managed rules, logs)' }),
  },
  CloudFrontWafAlb: {
    // also creates `${id}WebAcl` in us-east-1 (the CLOUDFRONT-scope web ACL)
    build: (app, id) => createCloudFrontWafAlbStacks(app, id, 'Blocking IPs: CloudFront (geo restriction, WAF from us-east-1) -> VPC origin -> internal ALB').stack,
  },
  Hpc: {
    build: (app, id) => new HpcStack(app, id, { description: 'HPC: EFA nodes in a cluster placement group (scaled to 0) in a private subnet, FSx for Lustre linked to S3, EFS, DataSync staging, and Batch multi-node parallel jobs' }),
  },
  CachedApi: {
    build: (app, id) => new CachedApiStack(app, id, { description: 'Caching: CloudFront -> API Gateway (API key from CloudFront only) -> Lambda -> ElastiCache Serverless Valkey (cache-aside) -> DynamoDB' }),
  },
  StaticSite: {
    build: (app, id) => new StaticSiteStack(app, id, { description: 'Caching: CloudFront (OAC, security headers, long TTL for hashed assets, short for HTML, SPA errors) -> private S3 bucket' }),
  },
};

/** The context key of the example-stack switch `-c retain=false`. */
export const RETAIN_CONTEXT_KEY = 'retain';

/**
 * `-c retain=false`, for trying a pattern out: every resource of every example stack gets
 * DeletionPolicy Delete, and every bucket the stacks create empties itself on delete (aws-cdk-lib's
 * auto-delete-objects custom resource), so `cdk destroy` leaves nothing behind. Without it (or with
 * `retain=true`) the constructs keep their retain-by-default. Call it once the stacks are built:
 * the auto-delete mixin reaches only buckets that exist. `-c` passes the string `'false'`; a boolean
 * `false` in cdk.json counts too.
 */
export function applyExampleRetention(app: App): void {
  const value: unknown = app.node.tryGetContext(RETAIN_CONTEXT_KEY);
  if (value === undefined || value === true || value === 'true') {
    return;
  }
  if (value !== false && value !== 'false') {
    throw new Error(`Example app: context ${RETAIN_CONTEXT_KEY} '${String(value)}' must be 'true' or 'false'; `
      + `use -c ${RETAIN_CONTEXT_KEY}=false to let cdk destroy delete every resource, or leave it out to keep data`);
  }
  RemovalPolicies.of(app).destroy();
  Mixins.of(app).apply(new s3.mixins.BucketAutoDeleteObjects());
}

/** Every example stack under its name, then the retain switch: what `bin/app.ts` deploys. */
export function buildExampleApp(app: App): void {
  for (const [name, entry] of Object.entries(EXAMPLE_STACKS)) {
    entry.build(app, name);
  }
  applyExampleRetention(app);
}
