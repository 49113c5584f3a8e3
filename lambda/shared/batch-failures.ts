import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

/**
 * One WARN line per batch with failed records: which message IDs SQS will deliver again (and
 * eventually move to the dead-letter queue), next to the per-record ERROR lines that say why.
 */
export function logBatchFailures(logger: Logger, event: SQSEvent, response: SQSBatchResponse): void {
  if (response.batchItemFailures.length > 0) {
    logger.warn('Batch had failed records; they will be retried', {
      records: event.Records.length,
      failed: response.batchItemFailures.map((f) => f.itemIdentifier),
    });
  }
}
