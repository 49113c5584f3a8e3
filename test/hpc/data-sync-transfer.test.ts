import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DataSyncDirection, DataSyncTransfer, DataSyncTransferProps, DataSyncVerifyMode } from '../../lib/hpc/data-sync-transfer';
import { HpcCluster } from '../../lib/hpc/hpc-cluster';
import { testApp } from '../support/app';
import { matchesEventPattern } from '../support/event-pattern';
import { PolicyDocumentJson, simulate } from '../support/policy-simulator';

const ACCOUNT = '111111111111';

/**
 * Resolves the intrinsics of a synthesized policy to strings for the evaluator: pseudo parameters,
 * `Fn::Join`, and `Fn::GetAtt [X, Attr]` / `Ref X` as given in `refs`.
 */
function resolveIntrinsics(value: unknown, refs: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, refs));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Ref' in o) {
      const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': 'us-east-1', 'AWS::URLSuffix': 'amazonaws.com' };
      const r = pseudo[o.Ref as string] ?? refs[o.Ref as string];
      if (r === undefined) throw new Error(`unresolved Ref ${String(o.Ref)}`);
      return r;
    }
    if ('Fn::GetAtt' in o) {
      const key = (o['Fn::GetAtt'] as string[]).join('.');
      if (refs[key] === undefined) throw new Error(`unresolved GetAtt ${key}`);
      return refs[key];
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return (resolveIntrinsics(parts, refs) as string[]).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolveIntrinsics(v, refs)]));
  }
  return value;
}

/** The identity policies attached to the role with logical ID `roleId`, resolved. */
function identityPoliciesOf(template: Template, roleId: string, refs: Record<string, string>): PolicyDocumentJson[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .map((p) => resolveIntrinsics(p.Properties.PolicyDocument, refs) as PolicyDocumentJson);
}

interface Fixture { stack: Stack; vpc: ec2.Vpc; bucket: s3.Bucket; fileSystem: efs.FileSystem; sg: ec2.SecurityGroup }

function fixture(): Fixture {
  const stack = new Stack(testApp(), 'TestStack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  return {
    stack, vpc,
    bucket: new s3.Bucket(stack, 'Bucket'),
    fileSystem: new efs.FileSystem(stack, 'Efs', { vpc }),
    sg: new ec2.SecurityGroup(stack, 'DataSyncSg', { vpc }),
  };
}

function efsTransfer(extra: Partial<DataSyncTransferProps> = {}): { f: Fixture; template: Template } {
  const f = fixture();
  new DataSyncTransfer(f.stack, 'Transfer', { bucket: f.bucket, bucketPrefix: 'results/', efs: { fileSystem: f.fileSystem, subnet: f.vpc.isolatedSubnets[0], securityGroup: f.sg }, ...extra });
  return { f, template: Template.fromStack(f.stack) };
}

const ref = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

describe('DataSyncTransfer', () => {
  describe('S3 and EFS', () => {
    let template: Template;
    let f: Fixture;
    beforeAll(() => ({ template, f } = efsTransfer()));

    test('a task from S3 to EFS with verification on, copying changed data and keeping deleted files, unscheduled', () => {
      const s3Loc = template.getResourceId('AWS::DataSync::LocationS3', {});
      const efsLoc = template.getResourceId('AWS::DataSync::LocationEFS', {});
      template.hasResourceProperties('AWS::DataSync::Task', {
        SourceLocationArn: { 'Fn::GetAtt': [s3Loc, 'LocationArn'] },
        DestinationLocationArn: { 'Fn::GetAtt': [efsLoc, 'LocationArn'] },
        Options: { VerifyMode: 'ONLY_FILES_TRANSFERRED', TransferMode: 'CHANGED', OverwriteMode: 'ALWAYS', PreserveDeletedFiles: 'PRESERVE' },
        Schedule: Match.absent(),
      });
    });

    test('the EFS location uses TLS, the subnet and security group, and the file system admits NFS from it', () => {
      template.hasResourceProperties('AWS::DataSync::LocationEFS', {
        InTransitEncryption: 'TLS1_2', Subdirectory: '/',
        Ec2Config: { SubnetArn: Match.anyValue(), SecurityGroupArns: [Match.anyValue()] },
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 2049, ToPort: 2049, SourceSecurityGroupId: { 'Fn::GetAtt': [ref(f.stack, f.sg), 'GroupId'] },
      });
    });

    test('DataSync\'s role is scoped to the bucket and the prefix, assumable by DataSync from this account only', () => {
      const bucket = ref(f.stack, f.bucket);
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'datasync.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })] },
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [
          Match.objectLike({ Sid: 'Bucket', Resource: { 'Fn::GetAtt': [bucket, 'Arn'] } }),
          Match.objectLike({ Sid: 'ObjectsUnderPrefix', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/results/*']] } }),
        ] },
      });
      template.hasResourceProperties('AWS::DataSync::LocationS3', { Subdirectory: '/results/', S3Config: { BucketAccessRoleArn: Match.anyValue() } });
    });

    test('DataSync\'s role may read object versions and their tags under the prefix (the bucket is versioned), and nothing outside it', async () => {
      const bucketId = ref(f.stack, f.bucket);
      const roleId = f.stack.getLogicalId(f.stack.node.findChild('Transfer').node.findChild('BucketAccessRole').node.defaultChild as never);
      const bucketArn = 'arn:aws:s3:::test-bucket';
      const identityPolicies = identityPoliciesOf(template, roleId, { [`${bucketId}.Arn`]: bucketArn });
      const principal = `arn:aws:iam::${ACCOUNT}:role/datasync`;
      for (const action of ['s3:GetObjectVersion', 's3:GetObjectVersionTagging', 's3:GetObject', 's3:PutObject']) {
        await expect(simulate({ principal, action, resource: `${bucketArn}/results/run-1/out.dat`, resourceAccount: ACCOUNT, identityPolicies })).resolves.toBe('Allowed');
        await expect(simulate({ principal, action, resource: `${bucketArn}/other/out.dat`, resourceAccount: ACCOUNT, identityPolicies })).resolves.toBe('ImplicitlyDenied');
      }
    });

    test('the EFS location mounts with IAM: a role DataSync assumes (this account only) with root access through a mount target', async () => {
      const roleId = f.stack.getLogicalId(f.stack.node.findChild('Transfer').node.findChild('FileSystemAccessRole').node.defaultChild as never);
      template.hasResourceProperties('AWS::DataSync::LocationEFS', { FileSystemAccessRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] }, InTransitEncryption: 'TLS1_2' });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'datasync.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })] },
        Description: Match.stringLikeRegexp('root access to one EFS file system'),
      });
      const efsId = ref(f.stack, f.fileSystem);
      const fsArn = `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/fs-0123456789abcdef0`;
      const identityPolicies = identityPoliciesOf(template, roleId, { [`${efsId}.Arn`]: fsArn });
      const principal = `arn:aws:iam::${ACCOUNT}:role/datasync-efs`;
      const viaMountTarget = { 'elasticfilesystem:AccessedViaMountTarget': 'true' };
      for (const action of ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite', 'elasticfilesystem:ClientRootAccess']) {
        await expect(simulate({ principal, action, resource: fsArn, resourceAccount: ACCOUNT, identityPolicies, context: viaMountTarget })).resolves.toBe('Allowed');
        await expect(simulate({ principal, action, resource: fsArn, resourceAccount: ACCOUNT, identityPolicies, context: { 'elasticfilesystem:AccessedViaMountTarget': 'false' } })).resolves.toBe('ImplicitlyDenied');
      }
      // The location is created after the grant (DataSync checks the role then).
      const location = Object.values(template.findResources('AWS::DataSync::LocationEFS'))[0];
      expect(location.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^TransferFileSystemAccessRoleDefaultPolicy/)]));
    });

    test('the object wildcard is acknowledged for cdk-nag, one finding', () => {
      // A fresh app: synth is cached, so validations must be added before the first one.
      const g = fixture();
      new DataSyncTransfer(g.stack, 'Transfer', { bucket: g.bucket, bucketPrefix: 'results/', efs: { fileSystem: g.fileSystem, subnet: g.vpc.isolatedSubnets[0], securityGroup: g.sg } });
      const app = g.stack.node.root as App;
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      // The fixture's plain bucket and VPC have findings of their own, which proves cdk-nag ran; none is IAM5.
      let report = '';
      try { app.synth(); } catch (e) { report = (e as Error).message; }
      expect(report).toMatch(/AwsSolutions-S1/);
      expect(report).not.toMatch(/IAM5/);
    });
  });

  test('the other direction, a schedule and point-in-time verification', () => {
    const { template } = efsTransfer({
      direction: DataSyncDirection.FILE_SYSTEM_TO_S3,
      schedule: events.Schedule.rate(Duration.hours(6)),
      verifyMode: DataSyncVerifyMode.POINT_IN_TIME_CONSISTENT,
    });
    const s3Loc = template.getResourceId('AWS::DataSync::LocationS3', {});
    template.hasResourceProperties('AWS::DataSync::Task', {
      DestinationLocationArn: { 'Fn::GetAtt': [s3Loc, 'LocationArn'] },
      Schedule: { ScheduleExpression: 'rate(6 hours)' },
      Options: Match.objectLike({ VerifyMode: 'POINT_IN_TIME_CONSISTENT' }),
    });
  });

  test('S3 and an HpcCluster\'s FSx for Lustre, through the nodes\' security group (which reaches the Lustre ports)', () => {
    const f = fixture();
    const cluster = new HpcCluster(f.stack, 'Cluster', { vpc: f.vpc });
    new DataSyncTransfer(f.stack, 'Transfer', { bucket: f.bucket, fsxLustre: { fileSystemArn: cluster.fileSystem.attrResourceArn, securityGroups: [cluster.securityGroup], subdirectory: '/data' } });
    Template.fromStack(f.stack).hasResourceProperties('AWS::DataSync::LocationFSxLustre', {
      FsxFilesystemArn: { 'Fn::GetAtt': [f.stack.getLogicalId(cluster.fileSystem), 'ResourceARN'] },
      Subdirectory: '/data',
      SecurityGroupArns: [{ 'Fn::Join': ['', Match.arrayWith([':security-group/', { 'Fn::GetAtt': [ref(f.stack, cluster.securityGroup), 'GroupId'] }])] }],
    });
  });

  test('fails if neither file system is given', () => {
    const f = fixture();
    expect(() => new DataSyncTransfer(f.stack, 'T', { bucket: f.bucket })).toThrow(/DataSyncTransfer: efs \/ fsxLustre \(not set\): a task copies between the bucket and exactly one file system/);
  });

  test('fails if both file systems are given', () => {
    const f = fixture();
    expect(() => new DataSyncTransfer(f.stack, 'T', {
      bucket: f.bucket,
      efs: { fileSystem: f.fileSystem, subnet: f.vpc.isolatedSubnets[0], securityGroup: f.sg },
      fsxLustre: { fileSystemArn: 'arn:aws:fsx:us-east-1:123456789012:file-system/fs-1', securityGroups: [f.sg] },
    })).toThrow(/efs, fsxLustre 'both set': a task copies between the bucket and exactly one file system/);
  });

  test('fails if the schedule is more frequent than hourly', () => {
    expect(() => efsTransfer({ schedule: events.Schedule.rate(Duration.minutes(30)) })).toThrow(/schedule 'rate\(30 minutes\)': DataSync runs a task at most once an hour/);
  });

  test('fails if the prefix starts with /', () => {
    expect(() => efsTransfer({ bucketPrefix: '/in/' })).toThrow(/bucketPrefix '\/in\/': an S3 prefix has no leading \/\. Fix: use 'in\/'/);
  });

  describe('failed executions', () => {
    const TASK = 'arn:aws:datasync:us-east-1:111111111111:task/task-0123456789abcdef0';
    /** A task execution state change as DataSync sends it: the resource is the execution. */
    const executionEvent = (state: string, task = TASK) => ({
      'version': '0', 'id': '1', 'detail-type': 'DataSync Task Execution State Change', 'source': 'aws.datasync',
      'account': ACCOUNT, 'time': '2024-01-01T00:00:00Z', 'region': 'us-east-1',
      'resources': [`${task}/execution/exec-0123456789abcdef0`], 'detail': { State: state },
    });
    const setup = (extra: Partial<DataSyncTransferProps> = {}) => {
      const { f, template } = efsTransfer(extra);
      const transfer = f.stack.node.findChild('Transfer') as DataSyncTransfer;
      const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
      const pattern = resolveIntrinsics(rule.Properties.EventPattern, { [`${f.stack.getLogicalId(transfer.task)}.TaskArn`]: TASK }) as Record<string, unknown>;
      return { f, transfer, template, pattern };
    };

    test('the rule matches an execution of this task ending in ERROR, not a success or another task\'s execution', () => {
      const { pattern } = setup();
      expect(matchesEventPattern(pattern, executionEvent('ERROR'))).toBe(true);
      expect(matchesEventPattern(pattern, executionEvent('SUCCESS'))).toBe(false);
      expect(matchesEventPattern(pattern, executionEvent('ERROR', 'arn:aws:datasync:us-east-1:111111111111:task/task-0fffffffffffffff0'))).toBe(false);
    });

    test('the alarm fires on one match in 5 minutes of the rule\'s TriggeredRules; no data is no failure', () => {
      const { f, transfer, template } = setup();
      template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Events', MetricName: 'TriggeredRules', Dimensions: [{ Name: 'RuleName', Value: { Ref: ref(f.stack, transfer.failedExecutionsRule) } }],
        Statistic: 'Sum', Period: 300, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching',
      });
      expect(transfer.alarms).toEqual([transfer.failedExecutionsAlarm]);
    });

    test('alarmActions and addAlarmActions() reach the alarm', () => {
      const action = (name: string): cloudwatch.IAlarmAction => ({ bind: () => ({ alarmActionArn: `arn:aws:sns:us-east-1:111111111111:${name}` }) });
      const f = fixture();
      const transfer = new DataSyncTransfer(f.stack, 'Transfer', {
        bucket: f.bucket, efs: { fileSystem: f.fileSystem, subnet: f.vpc.isolatedSubnets[0], securityGroup: f.sg }, alarmActions: [action('first')],
      });
      transfer.addAlarmActions(action('second'));
      Template.fromStack(f.stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmActions: ['arn:aws:sns:us-east-1:111111111111:first', 'arn:aws:sns:us-east-1:111111111111:second'],
      });
    });

    test('metricBytesTransferred() uses the TaskId dimension, the task ID at the end of the task ARN', () => {
      const { f, transfer } = setup();
      const dimension = f.stack.resolve(transfer.metricBytesTransferred().dimensions).TaskId;
      expect(dimension).toEqual({ 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': [f.stack.getLogicalId(transfer.task), 'TaskArn'] }] }] });
      expect(TASK.split('/')[1]).toBe('task-0123456789abcdef0');
    });
  });
});
