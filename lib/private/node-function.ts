import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const PACKAGE_NAME = 'cdk-reference-architectures';

/** Where `npm run build` puts the bundled handlers, relative to the package root. */
export const HANDLERS_DIR = path.join('dist', 'handlers');

/** The build's record of what it built, `dist/handlers/manifest.json`. */
export interface HandlerManifest {
  /** `handlerSourceHash()` of the sources the handlers were built from. */
  readonly sourceHash: string;
  /** Asset folder (under `dist/handlers`) per handler and architecture (`arm64`, `x86_64`, or `any`). */
  readonly assets: { readonly [handlerName: string]: { readonly [architecture: string]: string } };
}

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
   * Native packages the handler needs beside its bundle (sharp). The build installs them for each
   * architecture (`NATIVE_MODULES` in `scripts/build-handlers.ts`); this checks the prebuilt asset has them.
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
 * The package root: the nearest folder above this file whose package.json is this package's.
 * Works from `lib/private` (sources: tsx, ts-jest) and from `dist/lib/private` (the published package).
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`${PACKAGE_NAME}: cannot find the package's package.json above ${__dirname}; the package is incomplete.`);
    }
    dir = parent;
  }
}

/**
 * Hash of everything a handler bundle is built from: the handler sources (`lambda/`), the locked
 * dependency versions (`package-lock.json`) and the build script.
 */
export function handlerSourceHash(root: string): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  walk(path.join(root, 'lambda'));
  files.push(path.join(root, 'package-lock.json'), path.join(root, 'scripts', 'build-handlers.ts'));
  for (const file of files) {
    hash.update(path.relative(root, file).split(path.sep).join('/')).update('\0');
    hash.update(fs.existsSync(file) ? fs.readFileSync(file) : '').update('\0');
  }
  return hash.digest('hex');
}

function readManifest(root: string): HandlerManifest | undefined {
  const file = path.join(root, HANDLERS_DIR, 'manifest.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

let checkedRoot: string | undefined;

/**
 * The prebuilt handlers' manifest. In a source checkout (`lambda/` and the build script present) the
 * handlers are rebuilt first if their sources changed since the last build, once per process; the
 * published package ships only the build, so consumers never bundle anything.
 */
export function handlerManifest(root: string = packageRoot()): HandlerManifest {
  if (checkedRoot !== root && fs.existsSync(path.join(root, 'lambda')) && fs.existsSync(path.join(root, 'scripts', 'build-handlers.ts'))) {
    if (readManifest(root)?.sourceHash !== handlerSourceHash(root)) {
      execFileSync(process.execPath, [require.resolve('tsx/cli', { paths: [root] }), path.join(root, 'scripts', 'build-handlers.ts')], {
        cwd: root,
        // the build's report only in the error (execFileSync appends stderr to it) when the build fails
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    }
    checkedRoot = root;
  }
  const manifest = readManifest(root);
  if (!manifest) {
    throw new Error(`${PACKAGE_NAME}: the prebuilt handlers are missing (${path.join(root, HANDLERS_DIR, 'manifest.json')}); the package is incomplete. In a source checkout, run \`npm run build:handlers\`.`);
  }
  return manifest;
}

/** The folder of the prebuilt bundle of `handlerName` for `architecture`. */
export function prebuiltHandlerDir(handlerName: string, architecture: lambda.Architecture, root: string = packageRoot()): string {
  const assets = handlerManifest(root).assets[handlerName];
  if (!assets) {
    throw new Error(`${PACKAGE_NAME}: no prebuilt handler '${handlerName}'; the build has ${Object.keys(handlerManifest(root).assets).join(', ')}.`);
  }
  const folder = assets[architecture.name] ?? assets.any;
  if (!folder) {
    throw new Error(`${PACKAGE_NAME}: handler '${handlerName}' is built for ${Object.keys(assets).join(', ')}, not ${architecture.name}.`);
  }
  return path.join(root, HANDLERS_DIR, folder);
}

/**
 * A Node.js 24 function (arm64 unless told otherwise) running a handler prebuilt by `npm run build`
 * from `lambda/<name>/index.ts`: minified, source maps on, the AWS SDK left to the runtime, native
 * modules for the function's architecture beside it. JSON logs to a log group with a retention
 * period, X-Ray tracing on. Synth bundles nothing: no esbuild, Docker or registry needed.
 */
export function createHandlerFunction(scope: Construct, id: string, options: HandlerFunctionOptions): lambda.Function {
  const architecture = options.architecture ?? lambda.Architecture.ARM_64;
  const assetDir = prebuiltHandlerDir(options.handlerName, architecture);
  for (const module of options.nodeModules ?? []) {
    if (!fs.existsSync(path.join(assetDir, 'node_modules', module, 'package.json'))) {
      throw new Error(`${PACKAGE_NAME}: the prebuilt handler '${options.handlerName}' has no node_modules/${module}; list it in NATIVE_MODULES (scripts/build-handlers.ts) and rebuild.`);
    }
  }
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
  return new lambda.Function(scope, id, {
    role,
    vpc: options.vpc,
    vpcSubnets: options.vpcSubnets,
    securityGroups: options.securityGroups,
    description: options.description,
    code: lambda.Code.fromAsset(assetDir),
    handler: 'index.handler',
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
  });
}
