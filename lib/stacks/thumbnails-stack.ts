import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { S3ThumbnailPipeline } from '../s3/s3-thumbnail-pipeline';
import { createAlarmTopic } from './alarm-topic';
import { createFlowDashboard } from './messaging-dashboards';

/**
 * Example: upload images to the source bucket under `uploads/`; 128 and 512 px wide JPEG and WebP
 * thumbnails appear in the output bucket under `thumbnails/uploads/…`. Every alarm publishes to the
 * stack's alarm topic (`-c alarmEmail=...` subscribes an address); the dashboard follows an upload.
 */
export class ThumbnailsStack extends Stack {
  public readonly pipeline: S3ThumbnailPipeline;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const alarms = createAlarmTopic(this);
    this.pipeline = new S3ThumbnailPipeline(this, 'Thumbnails', { sourcePrefix: 'uploads/', alarmActions: [alarms.action] });

    const p = this.pipeline;
    this.dashboard = createFlowDashboard(this, [
      { title: 'Uploads in', left: [p.metricUploadsReceived({ label: 'Notifications received' })] },
      { title: 'Work done', left: [p.metricUploadsProcessed({ label: 'Notifications done' }), p.worker.metricHandlerInvocations({ label: 'Invocations (batches)' })] },
      {
        title: 'Failures',
        left: [p.metricFailedImages({ label: 'Failed attempts' }), p.metricHandlerErrors({ label: 'Function errors' }), p.metricHandlerThrottles({ label: 'Throttles' })],
        right: [p.metricDeadLetterQueueDepth({ label: 'In dead-letter queue', statistic: 'Maximum' })],
      },
      {
        title: 'Latency',
        left: [p.metricApproximateAgeOfOldestMessage({ label: 'Oldest waiting (s)', statistic: 'Maximum' })],
        right: [p.metricHandlerDuration({ label: 'Batch duration p99 (ms)', statistic: 'p99' })],
      },
      {
        title: 'Cost drivers',
        left: [p.metricHandlerConcurrentExecutions({ label: 'Concurrent executions' })],
        right: [p.metricHandlerDuration({ label: 'Billed duration (ms)', statistic: 'Sum' })],
      },
    ]);

    new CfnOutput(this, 'SourceBucketName', { value: this.pipeline.sourceBucket.bucketName });
    new CfnOutput(this, 'OutputBucketName', { value: this.pipeline.outputBucket.bucketName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.pipeline.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
  }
}
