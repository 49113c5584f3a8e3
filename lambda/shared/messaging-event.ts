/**
 * The message contract shared by the producer, the queue worker and the topic subscriber.
 *
 * Kept in one module so that what the producer accepts and what the consumers accept can never drift apart.
 */

/** A business event as published to the topic and consumed from the queue. */
export interface MessagingEvent {
  /** Non-blank identifier; also the FIFO deduplication id. */
  readonly id: string;
  /** Non-blank event type; also the `eventType` message attribute that filter policies match on. */
  readonly type: string;
  /** Optional amount: a finite number >= 0. */
  readonly amount?: number;
}

/** Why a message was rejected. Stable strings: they appear in logs and alarms filter on them. */
export type InvalidMessageReason =
  | 'INVALID_JSON'
  | 'NOT_AN_OBJECT'
  | 'INVALID_ID'
  | 'INVALID_TYPE'
  | 'INVALID_AMOUNT';

/** Thrown when a message does not satisfy the {@link MessagingEvent} contract. */
export class InvalidMessageError extends Error {
  public override readonly name = 'InvalidMessageError';

  constructor(
    /** Machine-readable reason. */
    public readonly reason: InvalidMessageReason,
    /** Human-readable detail (never contains the whole message body). */
    public readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** Parses a JSON message body and validates it against the contract. */
export function parseEvent(body: string): MessagingEvent {
  return validateEvent(parseJson(body));
}

/** Validates an already-parsed value against the contract; returns only the contract's fields. */
export function validateEvent(value: unknown): MessagingEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidMessageError('NOT_AN_OBJECT', `expected a JSON object, got ${describe(value)}`);
  }
  const { id, type, amount } = value as Record<string, unknown>;
  if (!isNonBlankString(id)) {
    throw new InvalidMessageError('INVALID_ID', `id must be a non-empty string, got ${describe(id)}`);
  }
  if (!isNonBlankString(type)) {
    throw new InvalidMessageError('INVALID_TYPE', `type must be a non-empty string, got ${describe(type)}`);
  }
  if (amount === undefined) {
    return { id, type };
  }
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
    throw new InvalidMessageError('INVALID_AMOUNT', `amount must be a finite number >= 0, got ${describe(amount)}`);
  }
  return { id, type, amount };
}

/** `JSON.parse` that reports failures as {@link InvalidMessageError}. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidMessageError('INVALID_JSON', (e as Error).message);
  }
}

function isNonBlankString(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string of length ${v.length}` : JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}
