/** The one CLI. Each sub-command is a thin call into a module. */
import { type Command, runCommand } from '../core/cli.ts';
import { EdumonError } from '../core/errors.ts';
import { createPrivateFiles } from '../core/privateFiles.ts';
import { alertsCmd } from './commands/alerts.ts';
import { demoCmd } from './commands/demo.ts';
import { digestCmd } from './commands/digest.ts';
import { dlqCmd } from './commands/dlq.ts';
import { exportCmd } from './commands/export.ts';
import { ingest } from './commands/ingest.ts';
import { migrateCmd } from './commands/migrate.ts';
import { notifyCmd } from './commands/notify.ts';
import { query } from './commands/query.ts';
import { rulesCmd } from './commands/rules.ts';
import { run } from './commands/run.ts';
import { simulateCmd } from './commands/simulate.ts';

const commands: Command[] = [run, ingest, query, exportCmd, rulesCmd, alertsCmd, digestCmd, notifyCmd, migrateCmd, simulateCmd, demoCmd, dlqCmd];

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
  return runCommand(cmd, rest);
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
