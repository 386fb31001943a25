/** The command line of the screenshot tools: `[out.png]`, `--help`. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The PNG path `argv` names (else `defaultPath`), its folder created; or the exit status when
 * there is nothing to draw: 0 after `--help`, 2 after an unknown option or a second path (the
 * help printed to stdout or stderr).
 */
export function pngOutArg(argv: readonly string[], help: string, defaultPath: string): string | number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  if (argv.length > 1 || argv.some((a) => a.startsWith('-'))) {
    process.stderr.write(`${help}\n`);
    return 2;
  }
  const out = resolve(argv[0] ?? defaultPath);
  mkdirSync(dirname(out), { recursive: true });
  return out;
}
