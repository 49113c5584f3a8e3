import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { logBatchFailures } from '../../lambda/shared/batch-failures';

const batchOf = (count: number) => ({ Records: Array.from({ length: count }, (_, i) => ({ messageId: `m${i}` })) }) as unknown as SQSEvent;

describe('logBatchFailures', () => {
  test('one WARN line naming the batch size and the failed message ids', () => {
    const warn = jest.fn();
    logBatchFailures({ warn } as unknown as Logger, batchOf(3), { batchItemFailures: [{ itemIdentifier: 'm0' }, { itemIdentifier: 'm2' }] });
    expect(warn.mock.calls).toEqual([['Batch had failed records; they will be retried', { records: 3, failed: ['m0', 'm2'] }]]);
  });

  test('nothing when no record failed', () => {
    const warn = jest.fn();
    logBatchFailures({ warn } as unknown as Logger, batchOf(2), { batchItemFailures: [] });
    expect(warn).not.toHaveBeenCalled();
  });
});
