/**
 * The commands by name, with what the main help says of each and how to load its module: loading
 * one imports only that command's dependencies, when it runs or its --help is asked.
 */
import type { Command } from '../core/cli.ts';

/** A command as the main help lists it; `load` imports its module. The summary is the command's own (a unit test compares them). */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** Every command, in the order the main help lists them. */
export const commands: CommandEntry[] = [
  {
    name: 'run',
    summary: 'Consume the event topics into the warehouse (the edumon service)',
    load: async () => (await import('./commands/run.ts')).run,
  },
  {
    name: 'ingest',
    summary: 'Validate JSON Lines / CSV files of contract events and publish them to Kafka',
    load: async () => (await import('./commands/ingest.ts')).ingest,
  },
  { name: 'query', summary: 'Run a read-only SQL query on the warehouse', load: async () => (await import('./commands/query.ts')).query },
  {
    name: 'export',
    summary: 'Export an analysts’ snapshot of the warehouse as Parquet (tables, views, manifest, DuckDB loader)',
    load: async () => (await import('./commands/export.ts')).exportCmd,
  },
  {
    name: 'rules',
    summary: 'List the rules, or run them as of a moment and print the violations',
    load: async () => (await import('./commands/rules.ts')).rulesCmd,
  },
  {
    name: 'alerts',
    summary: 'List, acknowledge, silence or release the alerts the rules raised',
    load: async () => (await import('./commands/alerts.ts')).alertsCmd,
  },
  {
    name: 'digest',
    summary: 'The weekly indicator digest: preview one to a file, or send the week’s to every contact',
    load: async () => (await import('./commands/digest.ts')).digestCmd,
  },
  {
    name: 'notify',
    summary: 'Alert email: the outbox, a preview, a test email, and who receives what',
    load: async () => (await import('./commands/notify.ts')).notifyCmd,
  },
  {
    name: 'migrate',
    summary: 'Create or update the warehouse schema (tables and views)',
    load: async () => (await import('./commands/migrate.ts')).migrateCmd,
  },
  {
    name: 'simulate',
    summary: 'Generate a realistic Jiaozuo year of contract events with known violations (truth.json)',
    load: async () => (await import('./commands/simulate.ts')).simulateCmd,
  },
  {
    name: 'demo',
    summary: 'The main job end to end: local Kafka, a simulated Jiaozuo year ingested, its alerts mailed, a summary',
    load: async () => (await import('./commands/demo.ts')).demoCmd,
  },
  {
    name: 'dlq',
    summary: 'List, replay or purge the rejected messages kept in the DLQ topic',
    load: async () => (await import('./commands/dlq.ts')).dlqCmd,
  },
  {
    name: 'users',
    summary: 'Add, list or change the officials who sign in to the web console',
    load: async () => (await import('./commands/users.ts')).usersCmd,
  },
];
