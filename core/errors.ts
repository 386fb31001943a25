/** An error a person can act on: says what went wrong, where, and whether trying again can help. */
export class EdumonError extends Error {
  override readonly name = 'EdumonError';
  constructor(
    message: string,
    readonly options: { retriable?: boolean; cause?: unknown; exitCode?: number } = {},
  ) {
    super(message, { cause: options.cause });
  }
  get retriable(): boolean {
    return this.options.retriable ?? false;
  }
  get exitCode(): number {
    return this.options.exitCode ?? 1;
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
