/**
 * The one CLI. A command's module (and what it imports: DuckDB, kafkajs, ECharts...) is loaded only
 * when that command runs or its --help is asked, so `edumon --help` reads only the command table.
 */
import { EdumonError } from '../core/errors.ts';
import { createPrivateFiles } from '../core/privateFiles.ts';
import { commands } from './commandTable.ts';

function mainHelp(): string {
  return [
    'usage: edumon <command> [options]',
    '',
    'Monitors the Jiaozuo preschool and county high school plans: contract events through Kafka',
    'into a DuckDB warehouse.',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    "Run 'edumon <command> --help' for a command's options.",
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  // Warehouse, WAL, spill files, keys and simulator output hold personal data: owner-only.
  createPrivateFiles();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${mainHelp()}\n`);
    return name === undefined ? 2 : 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`edumon: unknown command '${name}'\n\n${mainHelp()}\n`);
    return 2;
  }
  const { runCommand } = await import('../core/cli.ts');
  return runCommand(await cmd.load(), rest);
}

// A reader that stops early (`edumon alerts list | head`) closes the pipe: end quietly with the
// status a process killed by SIGPIPE has (128 + 13), as `yes | head` does, not with a stack trace.
const EPIPE_STATUS = 141;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EPIPE_STATUS);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof EdumonError) {
      process.stderr.write(`edumon: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`edumon: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
