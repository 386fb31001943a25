/** A small command framework over node:util parseArgs: per-command options, --help, clear usage errors. */
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from './config.ts';
import { UsageError } from './errors.ts';
import { createLogger, type Logger } from './log.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown in --help; the value name follows the flag, e.g. `--rate N`. */
  help: string;
  value?: string;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Longer text under the usage line. */
  description?: string;
  options: Record<string, OptionSpec>;
  run(ctx: CommandContext): Promise<number> | Promise<void>;
}

export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Loaded on first use, so --help works even with a broken configuration. */
  config(): Config;
  log(): Logger;
  out(line: string): void;
  /** Writes many lines in large chunks (a result of any size, without one giant string). */
  outLines(lines: Iterable<string>): void;
  /** Writes text as it is, no line break added (a CSV carries its own CRLFs), in large chunks like outLines. */
  outText(chunks: Iterable<string>): void;
}

/** Options every command takes. */
export const globalOptions: Record<string, OptionSpec> = {
  config: { type: 'string', value: 'FILE', help: 'JSON config file (default: $EDUMON_CONFIG)' },
  warehouse: { type: 'string', value: 'PATH', help: 'DuckDB warehouse file (default: data/edumon.duckdb)' },
  brokers: { type: 'string', value: 'LIST', help: 'Kafka brokers, host:port,... (default: 127.0.0.1:9092)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export function helpOf(cmd: Command): string {
  const all = { ...cmd.options, ...globalOptions };
  const rows = Object.entries(all).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return `  ${flag.padEnd(30)} ${o.help}`;
  });
  return [`usage: edumon ${cmd.usage}`, '', cmd.summary + (cmd.description ? `\n\n${cmd.description}` : ''), '', 'options:', ...rows].join('\n');
}

/** Parses argv for one command and runs it; returns the exit code. */
export async function runCommand(cmd: Command, argv: string[]): Promise<number> {
  const all = { ...cmd.options, ...globalOptions };
  // An argument starting with `--` and a space or line break is no option but text, such as SQL
  // opening with a comment (`edumon query "$(cat sql/examples/01_….sql)"`): parseArgs would refuse
  // it as an unknown option, so it is passed as a placeholder and restored among the positionals.
  const texts = new Map<string, string>();
  const args = argv.map((a, i) => {
    if (!/^--\s/.test(a)) return a;
    const placeholder = `\u0000text${i}`;
    texts.set(placeholder, a);
    return placeholder;
  });
  const restore = (v: unknown): unknown => (typeof v === 'string' ? (texts.get(v) ?? v) : Array.isArray(v) ? v.map(restore) : v);
  // A function, so `parsed` keeps the type parseArgs infers for these options.
  const parsed = (() => {
    try {
      return parseArgs({
        args,
        allowPositionals: true,
        options: Object.fromEntries(
          Object.entries(all).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
        ),
      });
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n\n${helpOf(cmd)}`);
    }
  })();
  const values = Object.fromEntries(Object.entries(parsed.values).map(([k, v]) => [k, restore(v)])) as typeof parsed.values;
  const positionals = parsed.positionals.map((p) => restore(p) as string);
  if (values.help) {
    process.stdout.write(`${helpOf(cmd)}\n`);
    return 0;
  }
  let config: Config | undefined;
  let log: Logger | undefined;
  const ctx: CommandContext = {
    values: values as CommandContext['values'],
    positionals,
    config: () =>
      (config ??= loadConfig({
        file: values.config as string | undefined,
        overrides: {
          warehouse: values.warehouse,
          'kafka.brokers': typeof values.brokers === 'string' ? values.brokers.split(',') : undefined,
        },
      })),
    log: () => (log ??= createLogger({ level: ctx.config().log.level, format: ctx.config().log.format })),
    out: (line) => process.stdout.write(`${line}\n`),
    outLines: (lines) => ctx.outText(withNewlines(lines)),
    outText: (chunks) => {
      let chunk = '';
      for (const text of chunks) {
        chunk += text;
        if (chunk.length >= 1 << 16) {
          process.stdout.write(chunk);
          chunk = '';
        }
      }
      if (chunk) process.stdout.write(chunk);
    },
  };
  return (await cmd.run(ctx)) ?? 0;
}

function* withNewlines(lines: Iterable<string>): Generator<string> {
  for (const line of lines) yield `${line}\n`;
}
