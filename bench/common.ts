/** What every benchmark script shares: its command line, progress lines and number formats. */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A progress line on stderr, stamped with the time of day (UTC). */
export const progress = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
/** A whole number with thousands separators. */
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
/** Rounded to 3 decimals, for JSON results. */
export const r3 = (n: number) => Math.round(n * 1000) / 1000;

type Options = NonNullable<ParseArgsConfig['options']>;
type WithHelp<O extends Options> = O & { help: { type: 'boolean'; short: 'h' } };
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: WithHelp<O> }>>['values'];

/**
 * Parses a bench's options (plus -h/--help). Returns the values, or the exit status when there is
 * nothing to run: 0 after printing `usage` for --help, 2 after a usage error.
 */
export function parseBenchArgs<const O extends Options>(argv: string[], options: O, usage: string): Values<O> | number {
  const config = { args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } } as WithHelp<O> };
  let values: Values<O>;
  try {
    values = parseArgs(config).values;
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return values;
}

/** Runs a bench's `main`: its result is the exit status; an error is printed with its stack and exits 1. */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
