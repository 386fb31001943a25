/** How a tool under tools/ runs when node is started on its file, and not when a test imports it. */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { messageOf } from '../core/errors.ts';

/**
 * Runs `main(argv)` when `moduleUrl` (the tool's import.meta.url) is the file node was started on:
 * its result is the exit status; a rejection prints `name: message` to stderr and exits 1.
 */
export function runIfMain(moduleUrl: string, name: string, main: (argv: string[]) => Promise<number>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(resolve(process.argv[1])).href) return;
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${name}: ${messageOf(err)}\n`);
      process.exitCode = 1;
    },
  );
}
