import {
  BasePartialBatchProcessor,
  EventType,
  SqsFifoMessageGroupShortCircuitError,
  UnexpectedBatchTypeError,
} from '@aws-lambda-powertools/batch';
import type {
  BaseRecord,
  BatchProcessingOptions,
  EventSourceDataClassTypes,
  FailureResponse,
  PartialItemFailureResponse,
  PartialItemFailures,
  SuccessResponse,
} from '@aws-lambda-powertools/batch/types';
import type { Context, SQSRecord } from 'aws-lambda';

/** The response while no record has failed; frozen, because one object serves every batch. */
const NO_FAILURES: PartialItemFailureResponse = Object.freeze({ batchItemFailures: Object.freeze([]) as unknown as PartialItemFailures[] });

/** The processor's per-invocation state: what Powertools' base class keeps behind its accessors. */
interface ProcessorState {
  records: BaseRecord[];
  handler: CallableFunction;
  options: BatchProcessingOptions | undefined;
  successMessages: EventSourceDataClassTypes[];
  failureMessages: EventSourceDataClassTypes[];
  errors: Error[];
  batchResponse: PartialItemFailureResponse;
  /** FIFO: message groups with a failed record in this batch. */
  failedGroups: Set<string | undefined>;
}

export interface SqsSyncBatchProcessorProps {
  /**
   * FIFO queue: once a record of a message group fails, the group's later records in the batch are
   * reported failed without being handled (`SqsFifoMessageGroupShortCircuitError`), so SQS redelivers
   * the group in order; other groups carry on. Same semantics as Powertools' `SqsFifoPartialProcessor`
   * with `skipGroupOnError: true`.
   * @default false
   */
  readonly fifo?: boolean;
}

/**
 * A Powertools partial batch processor for SQS with a synchronous record handler: return to succeed,
 * throw to fail the record.
 *
 * {@link SqsSyncBatchProcessor.processBatch} registers the batch, handles every record and builds the partial
 * batch response without ever yielding to the event loop, so one processor at module scope can serve
 * concurrent invocations in one process (Lambda Managed Instances) without their state interleaving.
 *
 * It differs from Powertools' `BatchProcessor` / `SqsFifoPartialProcessorAsync` only for speed: those cost
 * more per record than a typical synchronous handler's work, because
 * - they `await` every record, even for a synchronous handler;
 * - Powertools 2.x keeps processor state behind accessors that read `process.env.AWS_LAMBDA_MAX_CONCURRENCY` on
 *   every access (several per record) to decide whether to use the Lambda Managed Instances
 *   InvokeStore. This processor never yields mid-batch, so it needs no InvokeStore: its state is plain fields;
 * - constructing a processor per batch costs more than the work of a small batch.
 * Failure collection, the partial batch response and `throwOnFullBatchFailure` stay Powertools' own.
 */
export class SqsSyncBatchProcessor extends BasePartialBatchProcessor {
  // Declared, not initialised: Powertools' constructor assigns `batchResponse` through the accessors below
  // before field initialisers would run, and an initialiser would then wipe what it assigned.
  declare private state?: ProcessorState;
  private readonly fifo: boolean;

  constructor(props: SqsSyncBatchProcessorProps = {}) {
    super(EventType.SQS);
    this.fifo = props.fifo ?? false;
  }

  private get own(): ProcessorState {
    return (this.state ??= {
      records: [],
      handler: () => undefined,
      options: undefined,
      successMessages: [],
      failureMessages: [],
      errors: [],
      batchResponse: { batchItemFailures: [] },
      failedGroups: new Set(),
    });
  }

  override get records(): BaseRecord[] {
    return this.own.records;
  }
  protected override set records(records: BaseRecord[]) {
    this.own.records = records;
  }
  override get handler(): CallableFunction {
    return this.own.handler;
  }
  protected override set handler(handler: CallableFunction) {
    this.own.handler = handler;
  }
  override get options(): BatchProcessingOptions | undefined {
    return this.own.options;
  }
  protected override set options(options: BatchProcessingOptions | undefined) {
    this.own.options = options;
  }
  override get successMessages(): EventSourceDataClassTypes[] {
    return this.own.successMessages;
  }
  protected override set successMessages(messages: EventSourceDataClassTypes[]) {
    this.own.successMessages = messages;
  }
  override get failureMessages(): EventSourceDataClassTypes[] {
    return this.own.failureMessages;
  }
  protected override set failureMessages(messages: EventSourceDataClassTypes[]) {
    this.own.failureMessages = messages;
  }
  override get errors(): Error[] {
    return this.own.errors;
  }
  protected override set errors(errors: Error[]) {
    this.own.errors = errors;
  }
  protected override get batchResponse(): PartialItemFailureResponse {
    return this.own.batchResponse;
  }
  protected override set batchResponse(response: PartialItemFailureResponse) {
    this.own.batchResponse = response;
  }

  /** Resets the per-batch state, as Powertools' `prepare` does, without going through the accessors. */
  override prepare(): void {
    const state = this.own;
    state.successMessages = [];
    state.failureMessages = [];
    state.errors = [];
    state.batchResponse = NO_FAILURES;
    // Set.clear() reallocates the set's table even when it is empty: most batches have no failed group.
    // Stryker disable next-line ConditionalExpression: equivalent, clearing an empty set changes nothing
    if (state.failedGroups.size !== 0) state.failedGroups.clear();
  }

  /**
   * The synchronous equivalent of Powertools' `processPartialResponse(event, handler, processor, options)`:
   * returns `{ batchItemFailures }` with the message id of every record whose handler threw.
   */
  processBatch(
    event: { Records: SQSRecord[] }, handler: (record: SQSRecord, context?: Context) => unknown, options?: BatchProcessingOptions,
  ): PartialItemFailureResponse {
    if (!Array.isArray(event?.Records)) throw new UnexpectedBatchTypeError();
    this.register(event.Records, handler, options);
    this.prepare();
    const { failedGroups, successMessages } = this.own;
    const records = event.Records;
    const context = options?.context;
    // processOne() written out: this is the per-record path, and a success costs only a push (no entry).
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      // Stryker disable next-line ConditionalExpression: equivalent, the size test only skips a lookup in an empty set
      if (failedGroups.size !== 0 && failedGroups.has(record.attributes?.MessageGroupId)) {
        this.failureHandler(record, new SqsFifoMessageGroupShortCircuitError());
        continue;
      }
      let result: unknown;
      try {
        result = handler(record, context);
      } catch (e) {
        this.fail(record, e, failedGroups);
        continue;
      }
      if (result instanceof Promise) this.fail(record, asyncHandlerError(result), failedGroups);
      else successMessages.push(record);
    }
    this.clean();
    return this.response();
  }

  /** What `processPartialResponse` calls: the records are handled synchronously all the same. */
  override async process(): Promise<(SuccessResponse | FailureResponse)[]> {
    return this.processSync();
  }

  override async processRecord(record: BaseRecord): Promise<SuccessResponse | FailureResponse> {
    return this.processRecordSync(record);
  }

  /** Handles the registered records in order, in one synchronous pass. */
  override processSync(): (SuccessResponse | FailureResponse)[] {
    this.prepare();
    const { records, handler, options, failedGroups } = this.own;
    const processed = new Array<SuccessResponse | FailureResponse>(records.length);
    for (let i = 0; i < records.length; i++) processed[i] = this.processOne(records[i] as SQSRecord, handler, options?.context, failedGroups);
    this.clean();
    return processed;
  }

  override processRecordSync(record: BaseRecord): SuccessResponse | FailureResponse {
    const { handler, options, failedGroups } = this.own;
    return this.processOne(record as SQSRecord, handler, options?.context, failedGroups);
  }

  private processOne(
    record: SQSRecord, handler: CallableFunction, context: Context | undefined, failedGroups: Set<string | undefined>,
  ): SuccessResponse | FailureResponse {
    // Stryker disable next-line ConditionalExpression: equivalent, the size test only skips a lookup in an empty set
    if (failedGroups.size !== 0 && failedGroups.has(record.attributes?.MessageGroupId)) {
      return this.failureHandler(record, new SqsFifoMessageGroupShortCircuitError());
    }
    let result: unknown;
    try {
      result = handler(record, context);
    } catch (e) {
      return this.fail(record, e, failedGroups);
    }
    return result instanceof Promise ? this.fail(record, asyncHandlerError(result), failedGroups) : this.successHandler(record, result);
  }

  /** Records a failed record; on FIFO, the rest of its message group will be skipped. */
  private fail(record: SQSRecord, e: unknown, failedGroups: Set<string | undefined>): FailureResponse {
    const group = this.fifo ? record.attributes?.MessageGroupId : undefined;
    if (group !== undefined) failedGroups.add(group);
    return this.failureHandler(record, e instanceof Error ? e : new Error(String(e)));
  }
}

/** The error for a record whose handler returned a Promise: its outcome can no longer be reported. */
function asyncHandlerError(result: Promise<unknown>): TypeError {
  result.catch(() => undefined); // never an unhandled rejection
  return new TypeError('SqsSyncBatchProcessor: the record handler returned a Promise; it must be synchronous (use BatchProcessor for async handlers)');
}
