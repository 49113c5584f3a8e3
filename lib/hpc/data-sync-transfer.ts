import { CfnResource, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as datasync from 'aws-cdk-lib/aws-datasync';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { ConfigErrors } from '../private/config-errors';
import { validateBucketPrefix, validateFileSystemChoice, validateFileSystemSubdirectory, validateSchedule } from './validate-data-sync';

/** NFS, the port of EFS mount targets. */
const NFS = ec2.Port.tcp(2049);

/** Which way the task copies. */
export enum DataSyncDirection {
  /** From the bucket to the file system (stage inputs). */
  S3_TO_FILE_SYSTEM = 'S3_TO_FILE_SYSTEM',
  /** From the file system to the bucket (keep results). */
  FILE_SYSTEM_TO_S3 = 'FILE_SYSTEM_TO_S3',
}

/** How DataSync verifies the copy. There is no "none": verification stays on. */
export enum DataSyncVerifyMode {
  /** Checksums of the transferred files are compared at the destination. */
  ONLY_FILES_TRANSFERRED = 'ONLY_FILES_TRANSFERRED',
  /** The whole source and destination are compared at the end. */
  POINT_IN_TIME_CONSISTENT = 'POINT_IN_TIME_CONSISTENT',
}

/** An EFS file system as the DataSync location. */
export interface DataSyncEfsLocation {
  /** The file system. */
  readonly fileSystem: efs.IFileSystem;
  /** Subnet of DataSync's network interfaces (with a mount target of the file system in its AZ). */
  readonly subnet: ec2.ISubnet;
  /** Security group of DataSync's network interfaces; the file system is opened to it on NFS. */
  readonly securityGroup: ec2.ISecurityGroup;
  /**
   * Directory of the file system.
   *
   * @default '/'
   */
  readonly subdirectory?: string;
}

/** An FSx for Lustre file system as the DataSync location. */
export interface DataSyncFsxLustreLocation {
  /** ARN of the file system (`CfnFileSystem.attrResourceArn`). */
  readonly fileSystemArn: string;
  /** Security groups DataSync's interfaces use; they must reach the file system on TCP 988 and 1018–1023 (an `HpcCluster`'s node group does). */
  readonly securityGroups: ec2.ISecurityGroup[];
  /**
   * Directory of the file system.
   *
   * @default '/'
   */
  readonly subdirectory?: string;
}

/** Properties of a {@link DataSyncTransfer}. */
export interface DataSyncTransferProps {
  /** The bucket. */
  readonly bucket: s3.IBucket;

  /**
   * Prefix in the bucket (without leading `/`; with a trailing `/` for a folder).
   *
   * @default - the whole bucket
   */
  readonly bucketPrefix?: string;

  /**
   * EFS side of the transfer. Exactly one of `efs` and `fsxLustre`.
   *
   * @default - none
   */
  readonly efs?: DataSyncEfsLocation;

  /**
   * FSx for Lustre side of the transfer. Exactly one of `efs` and `fsxLustre`.
   *
   * @default - none
   */
  readonly fsxLustre?: DataSyncFsxLustreLocation;

  /**
   * Direction of the copy.
   *
   * @default DataSyncDirection.S3_TO_FILE_SYSTEM
   */
  readonly direction?: DataSyncDirection;

  /**
   * When the task runs by itself: a rate() of an hour or more, or a cron() with one fixed minute
   * (DataSync runs a task at most once an hour).
   *
   * @default - only when started (console, `aws datasync start-task-execution`)
   */
  readonly schedule?: events.Schedule;

  /**
   * Verification.
   *
   * @default DataSyncVerifyMode.ONLY_FILES_TRANSFERRED
   */
  readonly verifyMode?: DataSyncVerifyMode;

  /**
   * Actions the failed-execution alarm runs when it fires (e.g. an SNS action).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * An AWS DataSync task between an S3 bucket and an EFS or FSx for Lustre file system, with a role
 * for DataSync scoped to the bucket (and prefix), verification on, and an optional schedule.
 * Only changed data is copied; files deleted at the source are kept at the destination.
 */
export class DataSyncTransfer extends Construct {
  /** The role DataSync assumes to access the bucket. */
  public readonly bucketAccessRole: iam.Role;
  /** The role DataSync assumes to mount the EFS file system (root access); undefined for FSx for Lustre. */
  public readonly fileSystemAccessRole?: iam.Role;
  /** The S3 location. */
  public readonly s3Location: datasync.CfnLocationS3;
  /** The file system location: an `AWS::DataSync::LocationEFS` or `AWS::DataSync::LocationFSxLustre`. */
  public readonly fileSystemLocation: CfnResource;
  /** ARN of the file system location. */
  public readonly fileSystemLocationArn: string;
  /** The task. */
  public readonly task: datasync.CfnTask;
  /**
   * EventBridge rule matching every execution of the task that ends in ERROR (DataSync publishes
   * no failure metric; it reports execution states as events). Add a target to receive each one.
   */
  public readonly failedExecutionsRule: events.Rule;
  /** Fires when an execution of the task fails (the rule matched at least once in 5 minutes). */
  public readonly failedExecutionsAlarm: cloudwatch.Alarm;
  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: DataSyncTransferProps) {
    super(scope, id);
    const errors = new ConfigErrors('DataSyncTransfer', this.node.path);
    validateFileSystemChoice(errors, props.efs !== undefined, props.fsxLustre !== undefined);
    validateSchedule(errors, props.schedule);
    validateBucketPrefix(errors, props.bucketPrefix);
    validateFileSystemSubdirectory(errors, 'efs.subdirectory', props.efs?.subdirectory);
    validateFileSystemSubdirectory(errors, 'fsxLustre.subdirectory', props.fsxLustre?.subdirectory);
    errors.throwIfAny();
    const stack = Stack.of(this);
    const prefix = props.bucketPrefix ?? '';

    this.bucketAccessRole = new iam.Role(this, 'BucketAccessRole', {
      assumedBy: new iam.ServicePrincipal('datasync.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `DataSync access to one bucket for ${this.node.path}`,
    });
    const policy = new iam.Policy(this, 'BucketAccessPolicy', {
      roles: [this.bucketAccessRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'Bucket',
          actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [props.bucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'ObjectsUnderPrefix',
          // The Version actions: DataSync reads object versions of versioned buckets (its troubleshooting guide names both).
          actions: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion', 's3:GetObjectVersionTagging',
            's3:ListMultipartUploadParts', 's3:PutObject', 's3:PutObjectTagging'],
          resources: [props.bucket.arnForObjects(`${prefix}*`)],
        }),
      ],
    });
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${objectWildcardFinding(stack, props.bucket, prefix)}]`,
      reason: 'DataSync copies every object under the configured prefix of this one bucket, whose keys are not known in advance; the actions are the ones DataSync documents for an S3 location.',
    });
    if (props.bucket.encryptionKey) {
      props.bucket.encryptionKey.grantEncryptDecrypt(this.bucketAccessRole);
    }

    this.s3Location = new datasync.CfnLocationS3(this, 'S3Location', {
      s3BucketArn: props.bucket.bucketArn,
      subdirectory: `/${prefix}`,
      s3Config: { bucketAccessRoleArn: this.bucketAccessRole.roleArn },
    });
    this.s3Location.node.addDependency(policy);

    const sgArn = (sg: ec2.ISecurityGroup) => stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: sg.securityGroupId });
    if (props.efs) {
      const e = props.efs;
      // NFS from DataSync's group; in another stack, the rules go with that group (aws-cdk-lib's
      // remoteRule), so references point from the transfer to the file system only.
      for (const group of e.fileSystem.connections.securityGroups) {
        group.addIngressRule(e.securityGroup, NFS, 'from DataSync', true);
        if (!e.securityGroup.allowAllOutbound) {
          e.securityGroup.addEgressRule(group, NFS, 'DataSync');
        }
      }
      // With IAM authorization DataSync can mount a file system whose policy refuses anonymous clients
      // (as aws-cdk-lib's does with @aws-cdk/aws-efs:denyAnonymousAccess), and copies as root so it can
      // read and write every file. It requires TLS, which the location sets.
      this.fileSystemAccessRole = new iam.Role(this, 'FileSystemAccessRole', {
        assumedBy: new iam.ServicePrincipal('datasync.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
        description: `DataSync root access to one EFS file system for ${this.node.path}`,
      });
      const grant = e.fileSystem.grantRootAccess(this.fileSystemAccessRole);
      const location = new datasync.CfnLocationEFS(this, 'EfsLocation', {
        efsFilesystemArn: e.fileSystem.fileSystemArn,
        fileSystemAccessRoleArn: this.fileSystemAccessRole.roleArn,
        ec2Config: {
          subnetArn: stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: e.subnet.subnetId }),
          securityGroupArns: [sgArn(e.securityGroup)],
        },
        subdirectory: e.subdirectory ?? '/',
        inTransitEncryption: 'TLS1_2',
      });
      // DataSync checks the role when the location is created.
      grant.applyBefore(location);
      this.fileSystemLocation = location;
      this.fileSystemLocationArn = location.attrLocationArn;
    } else {
      const f = props.fsxLustre!;
      const location = new datasync.CfnLocationFSxLustre(this, 'FsxLustreLocation', {
        fsxFilesystemArn: f.fileSystemArn,
        securityGroupArns: f.securityGroups.map(sgArn),
        subdirectory: f.subdirectory ?? '/',
      });
      this.fileSystemLocation = location;
      this.fileSystemLocationArn = location.attrLocationArn;
    }

    const toFileSystem = (props.direction ?? DataSyncDirection.S3_TO_FILE_SYSTEM) === DataSyncDirection.S3_TO_FILE_SYSTEM;
    this.task = new datasync.CfnTask(this, 'Task', {
      sourceLocationArn: toFileSystem ? this.s3Location.attrLocationArn : this.fileSystemLocationArn,
      destinationLocationArn: toFileSystem ? this.fileSystemLocationArn : this.s3Location.attrLocationArn,
      options: {
        verifyMode: props.verifyMode ?? DataSyncVerifyMode.ONLY_FILES_TRANSFERRED,
        transferMode: 'CHANGED',
        overwriteMode: 'ALWAYS',
        preserveDeletedFiles: 'PRESERVE',
      },
      schedule: props.schedule ? { scheduleExpression: props.schedule.expressionString } : undefined,
    });

    this.failedExecutionsRule = new events.Rule(this, 'FailedExecutionsRule', {
      description: 'Executions of this DataSync task that fail',
      eventPattern: {
        source: ['aws.datasync'],
        detailType: ['DataSync Task Execution State Change'],
        detail: { State: ['ERROR'] },
        // The event's resource is the execution: <task ARN>/execution/exec-...
        resources: events.Match.prefix(`${this.task.attrTaskArn}/execution/`),
      },
    });
    this.alarmSet = new AlarmSet(props.alarmActions);
    this.failedExecutionsAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'FailedExecutionsAlarm', {
      // Any failed execution: the destination is left partly copied; 5 minutes groups retries.
      metric: this.metricFailedExecutions(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // EventBridge publishes the metric only when the rule matches: no data is no failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `DataSync task of ${this.node.path}: an execution failed. `
        + 'aws datasync list-task-executions --task-arn <task> and describe-task-execution show the ErrorCode and ErrorDetail (permissions, network path to the location, files changed during the copy).',
    }));
  }

  /** The alarms of the construct. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmSet.alarms;
  }

  /** Adds actions to every alarm of the construct, present and future. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.alarmSet.addActions(...actions);
  }

  /**
   * Failed executions of the task: how often `failedExecutionsRule` matched (`AWS/Events`
   * `TriggeredRules` by `RuleName`, `Sum` over 5 minutes).
   */
  public metricFailedExecutions(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events', metricName: 'TriggeredRules', dimensionsMap: { RuleName: this.failedExecutionsRule.ruleName },
      statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), ...props,
    });
  }

  /** Bytes the task sent over the network (`AWS/DataSync` `BytesTransferred` by `TaskId`, `Sum` over 5 minutes, DataSync's reporting interval). */
  public metricBytesTransferred(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    // The TaskId dimension is the last part of the task ARN (arn:...:task/task-0123...).
    const taskId = Fn.select(1, Fn.split('/', this.task.attrTaskArn));
    return new cloudwatch.Metric({
      namespace: 'AWS/DataSync', metricName: 'BytesTransferred', dimensionsMap: { TaskId: taskId },
      statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), ...props,
    });
  }
}

/**
 * How cdk-nag names the object wildcard: `<LogicalId.Arn>/prefix*` for a bucket of this app, the
 * ARN text for an imported one; a token prefix appears as cdk-nag flattens it (`<Param>`).
 */
function objectWildcardFinding(stack: Stack, bucket: s3.IBucket, prefix: string): string {
  const cfn = bucket.node.defaultChild;
  if (cfn instanceof s3.CfnBucket) {
    return `<${Stack.of(cfn).getLogicalId(cfn)}.Arn>/${flattenReference(stack.resolve(prefix))}*`;
  }
  return flattenReference(stack.resolve(bucket.arnForObjects(`${prefix}*`)));
}

/**
 * A resolved CloudFormation value as one string, the way cdk-nag writes it in finding IDs
 * (`Ref X` -> `<X>`, `GetAtt X.Y` -> `<X.Y>`, joins joined).
 */
function flattenReference(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  const o = value as Record<string, unknown>;
  if (o && Array.isArray(o['Fn::Join'])) {
    const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (o && Array.isArray(o['Fn::GetAtt'])) return `<${(o['Fn::GetAtt'] as string[]).map(flattenReference).join('.')}>`;
  if (o && o.Ref !== undefined) return `<${flattenReference(o.Ref)}>`;
  if (o && o['Fn::ImportValue'] !== undefined) return flattenReference(o['Fn::ImportValue']);
  return JSON.stringify(value);
}
