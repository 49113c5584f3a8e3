import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The VPC of the HA example stacks: 2 AZs, no NAT gateway (about $33/month each), rejected-traffic
 * flow logs kept one month. `isolated` adds private isolated subnets.
 */
export function exampleVpc(scope: Construct, isolated: boolean): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      ...(isolated ? [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }] : []),
    ],
  });
  vpc.addFlowLog('FlowLog', {
    trafficType: ec2.FlowLogTrafficType.REJECT,
    destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(scope, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    })),
  });
  return vpc;
}

/** Reads a context value that must be one of `allowed`; `fallback` when unset. */
export function contextChoice<T extends string>(scope: Construct, key: string, allowed: readonly T[], fallback: T): T {
  const value = scope.node.tryGetContext(key) ?? fallback;
  if (!allowed.includes(value)) {
    throw new Error(`Context ${key} '${String(value)}' is not one of ${allowed.join(', ')}. Fix: cdk synth -c ${key}=${allowed[0]}, or leave it unset for ${fallback}.`);
  }
  return value as T;
}
