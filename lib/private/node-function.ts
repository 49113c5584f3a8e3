import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Options for a handler shipped in this package's `lambda/` folder. */
export interface HandlerFunctionOptions {
  /** Folder name under `lambda/`, e.g. `queue-worker`. */
  readonly handlerName: string;
  readonly description: string;
  readonly environment?: { [key: string]: string };
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default lambda.Architecture.ARM_64 */
  readonly architecture?: lambda.Architecture;
  /**
   * Packages installed next to the bundle instead of bundled (native code such as sharp). They are
   * installed for the function's architecture on Linux, without Docker.
   * @default - none
   */
  readonly nodeModules?: string[];
  /** Attach the function to this VPC; its role gets the VPC access policy. @default - no VPC */
  readonly vpc?: ec2.IVpc;
  /** @default - the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default - a new security group */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * The package root: the nearest folder above this file holding `lambda/` and `package.json`.
 * Works from `lib/private` (sources, tsx) and from `dist/lib/private` (the published package).
 */
export function packageRoot(): string {
  let dir = __dirname;
  while (!(fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'lambda')))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`cdk-reference-architectures: cannot find the package's lambda/ folder above ${__dirname}; the package is incomplete.`);
    }
    dir = parent;
  }
  return dir;
}

/**
 * A Node.js 24 arm64 function bundled locally with esbuild (never Docker) from `lambda/<name>/index.ts`:
 * minified, source maps on, the AWS SDK left to the runtime, JSON logs to a log group with a
 * retention period, X-Ray tracing on.
 */
export function createHandlerFunction(scope: Construct, id: string, options: HandlerFunctionOptions): nodejs.NodejsFunction {
  const root = packageRoot();
  const architecture = options.architecture ?? lambda.Architecture.ARM_64;
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.RETAIN, // logs are evidence; keep them unless the user opts out
  });
  // An own role instead of AWSLambdaBasicExecutionRole: logs may go to this log group only.
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${options.description}`,
  });
  logGroup.grantWrite(role);
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'The only statement on Resource * in this role\'s default policy is X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), which supports no resource-level permissions; the example-stack test fails if anything but X-Ray or read-only EC2 Describe calls (equally without resource-level permissions) gets Resource *.',
  });
  if (options.vpc) {
    // aws-cdk-lib adds this policy only to roles it creates itself, and this role is ours.
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'AWS-maintained policy with exactly the network-interface actions Lambda needs to attach a function to a VPC (ec2:CreateNetworkInterface, DescribeNetworkInterfaces, DeleteNetworkInterface, Assign/UnassignPrivateIpAddresses), which cannot be scoped to interfaces the Lambda service creates later.',
    });
  }
  return new nodejs.NodejsFunction(scope, id, {
    role,
    vpc: options.vpc,
    vpcSubnets: options.vpcSubnets,
    securityGroups: options.securityGroups,
    description: options.description,
    entry: path.join(root, 'lambda', options.handlerName, 'index.ts'),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture,
    memorySize: options.memorySize ?? 256,
    timeout: options.timeout ?? Duration.seconds(30),
    tracing: lambda.Tracing.ACTIVE,
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup,
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: options.handlerName,
      ...options.environment,
    },
    bundling: {
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      target: 'node24',
      externalModules: ['@aws-sdk/*'],
      nodeModules: options.nodeModules,
      // npm picks optional platform packages (sharp's @img/sharp-linux-arm64, …) from these, so
      // native modules match the Lambda's architecture even when synthesizing on another one.
      environment: options.nodeModules ? {
        npm_config_os: 'linux',
        npm_config_cpu: architecture === lambda.Architecture.ARM_64 ? 'arm64' : 'x64',
        npm_config_libc: 'glibc',
      } : undefined,
    },
  });
}
