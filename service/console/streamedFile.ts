/**
 * A file answer streamed to a browser as it is written (the SQL page's CSV and Parquet downloads),
 * with what POST /query's streamed answers promise (service/api.ts sendStreamed): nothing is sent
 * before the first bytes, so a query refused before them is still answered as a page; a slow
 * reader holds the writer (backpressure), never memory; a reader gone stops the work; an answer
 * cut short after its first bytes gets `errorLine` and then the transfer fails (the connection is
 * closed without the final chunk), so no browser saves it as a whole file.
 */
import { messageOf } from '../../core/errors.ts';
import type { ByteSink } from '../queryAnswer.ts';

/** Chunks queued before the writer waits for the reader. */
const QUEUED_CHUNKS = 8;

/**
 * Starts `write` and resolves once it has written its first bytes or finished: then with the
 * stream to send (`ok`), else with what it failed with (`failed`, nothing sent). `write` gets the
 * sink and a signal aborted when the reader goes away.
 */
export async function streamedFile(
  write: (out: ByteSink, signal: AbortSignal) => Promise<unknown>,
  errorLine: (message: string) => string,
): Promise<{ ok: true; body: ReadableStream<Uint8Array> } | { ok: false; error: unknown }> {
  const gone = new AbortController();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let pulled = () => {};
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        pulled();
      },
      cancel() {
        cancelled = true;
        gone.abort('the reader went away');
        pulled();
      },
    },
    { highWaterMark: QUEUED_CHUNKS },
  );
  let started!: () => void;
  const first = new Promise<void>((resolve) => {
    started = resolve;
  });
  const out: ByteSink = {
    async write(chunk) {
      if (cancelled) throw new Error('stopped: the reader went away');
      controller.enqueue(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
      started();
      while (!cancelled && (controller.desiredSize ?? 0) <= 0) await new Promise<void>((resolve) => (pulled = resolve));
    },
  };
  const done = write(out, gone.signal).then(
    () => ({ error: null }),
    (error: unknown) => ({ error: error ?? new Error('failed') }),
  );
  const early = await Promise.race([first.then(() => null), done]);
  if (early?.error) return { ok: false, error: early.error };
  void done.then(({ error }) => {
    if (cancelled) return;
    if (!error) return controller.close();
    controller.enqueue(new TextEncoder().encode(errorLine(messageOf(error))));
    // The line goes out first; then the stream fails, and with it the transfer.
    setTimeout(() => controller.error(error), 1000).unref();
  });
  return { ok: true, body };
}
