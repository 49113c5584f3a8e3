import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { S3ThumbnailPipeline } from '../s3/s3-thumbnail-pipeline';

/**
 * Example: upload images to the source bucket under `uploads/`; 128 and 512 px wide JPEG and WebP
 * thumbnails appear in the output bucket under `thumbnails/uploads/…`.
 */
export class ThumbnailsStack extends Stack {
  public readonly pipeline: S3ThumbnailPipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.pipeline = new S3ThumbnailPipeline(this, 'Thumbnails', { sourcePrefix: 'uploads/' });

    new CfnOutput(this, 'SourceBucketName', { value: this.pipeline.sourceBucket.bucketName });
    new CfnOutput(this, 'OutputBucketName', { value: this.pipeline.outputBucket.bucketName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.pipeline.deadLetterQueue.queueUrl });
  }
}
