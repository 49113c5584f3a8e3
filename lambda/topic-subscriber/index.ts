import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SNSEvent } from 'aws-lambda';
import { InvalidMessageError, type MessagingEvent, parseEvent } from '../shared/messaging-event';

export { InvalidMessageError } from '../shared/messaging-event';

// POWERTOOLS_SERVICE_NAME (set by the construct) wins; the default keeps logs attributable elsewhere.
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'topic-subscriber' });

/**
 * Parses and logs every notification of an SNS event.
 *
 * Throws {@link InvalidMessageError} on the first message that breaks the contract: the function is
 * invoked asynchronously, so throwing hands the event to Lambda's retries and then to the function's
 * on-failure destination (or DLQ) instead of dropping it silently.
 */
export function processNotifications(event: SNSEvent): MessagingEvent[] {
  return event.Records.map(({ Sns }) => {
    let evt: MessagingEvent;
    try {
      evt = parseEvent(Sns.Message);
    } catch (e) {
      // parseEvent throws only InvalidMessageError; the fallback is defensive.
      // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent (see above)
      const reason = e instanceof InvalidMessageError ? e.reason : 'UNEXPECTED_ERROR';
      logger.error('Notification rejected', { messageId: Sns.MessageId, topicArn: Sns.TopicArn, reason, error: e as Error });
      throw e;
    }
    logger.info('Notification received', { messageId: Sns.MessageId, event: evt });
    return evt;
  });
}

export const handler = async (event: SNSEvent, context: Context): Promise<void> => {
  logger.addContext(context);
  processNotifications(event);
};
