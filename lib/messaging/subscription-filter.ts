import * as sns from 'aws-cdk-lib/aws-sns';
import { ConfigErrors } from '../private/config-errors';

/**
 * Which messages of a topic a subscription receives. SNS applies one filter policy scope per
 * subscription, so at most one of the two may be set.
 */
export interface SubscriptionFilterOptions {
  /**
   * Filter policy on message attributes.
   *
   * @default - every message is delivered
   */
  readonly filterPolicy?: { [attribute: string]: sns.SubscriptionFilter };

  /**
   * Filter policy on the message body (the message must be JSON).
   *
   * @default - every message is delivered
   */
  readonly filterPolicyWithMessageBody?: { [attribute: string]: sns.FilterOrPolicy };
}

/** Records an error when both filter scopes are set; `where` prefixes the prop name. */
export function validateFilterScope(errors: ConfigErrors, options: SubscriptionFilterOptions, where = ''): void {
  if (options.filterPolicy && options.filterPolicyWithMessageBody) {
    errors.add(`${where}filterPolicyWithMessageBody`, 'set together with filterPolicy',
      'SNS applies one filter policy scope per subscription (attributes or body)', 'keep only one of the two');
  }
}
