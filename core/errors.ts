/** An error a person can act on: says what went wrong, where, and whether trying again can help. */
export class EdumonError extends Error {
  override readonly name: string = 'EdumonError';
  constructor(
    message: string,
    readonly options: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }
  /**
   * Read by kafkajs, never by edumon: for an error thrown inside the consumer (from eachBatch, or
   * a codec while fetching) kafkajs retries unless `retriable === false`
   * (node_modules/kafkajs/src/retry/index.js:18) and restarts the consumer after a crash only when
   * `retriable === true` (node_modules/kafkajs/src/consumer/index.js:268). So the `false` default
   * is load-bearing: a failed write or a batch no codec can read is not retried by kafkajs in a loop.
   */
  get retriable(): boolean {
    return this.options.retriable ?? false;
  }
  /** The status the CLI exits with when this error ends a command. */
  get exitCode(): number {
    return 1;
  }
}

/** A request that cannot be carried out as given (a bad option, argument, query or request body): exit status 2. */
export class UsageError extends EdumonError {
  override readonly name: string = 'UsageError';
  override get exitCode(): number {
    return 2;
  }
}

/** The message of anything thrown, without a stack. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A Kafka record batch that cannot be decompressed: its codec is unknown or its bytes are not
 * what the codec reads. Never retriable, since fetching the same bytes again fails the same way.
 */
export class CodecError extends EdumonError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}
