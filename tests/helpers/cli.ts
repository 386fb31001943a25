/** Runs the real `edumon` CLI as a child process, capturing everything it prints. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'edumon.mjs');
const RECORD_PACKAGES = join(import.meta.dirname, 'recordPackages.mjs');

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function spawnEdumon(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // 'close', not 'exit': by then everything the process printed has been read.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Runs a command to completion. */
export async function runEdumon(
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<{ code: number | null; output: string; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
    stderr += d;
  });
  child.stdin.end(input ?? '');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output: out, stdout, stderr };
}

/** The npm packages `edumon ARGS` imports, sorted (exit 0 asserted), as recordPackages.mjs records them. */
export async function packagesLoadedBy(args: string[], env: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'edumon-packages-'));
  const file = join(dir, 'packages.txt');
  try {
    const r = await runEdumon(args, { ...env, NODE_OPTIONS: `--import=${RECORD_PACKAGES}`, EDUMON_TEST_PACKAGES_FILE: file });
    if (r.code !== 0) throw new Error(`edumon ${args.join(' ')} exited ${r.code}:\n${r.output}`);
    // No file: the command imported no package at all.
    return existsSync(file) ? [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))].sort() : [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The lines of a CSV the CLI printed (core/csv.ts): its byte order mark removed, split at its CRLFs, nothing after the last. */
export function csvLines(stdout: string): string[] {
  if (!stdout.startsWith('\ufeff') || !stdout.endsWith('\r\n')) throw new Error(`not a CSV with a BOM and CRLF: ${JSON.stringify(stdout.slice(0, 200))}`);
  return stdout.slice(1, -2).split('\r\n');
}

/** Polls until the condition holds; throws after the timeout. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs a command that must end by itself: killed (and reported as code null, with what it
 * printed) if it has not exited within `ms`, so a hang fails the test instead of stalling it.
 */
export async function runEdumonWithin(args: string[], env: Record<string, string>, ms: number): Promise<{ code: number | null; output: string }> {
  const proc = spawnEdumon(args, env);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), ms);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, output: proc.output() };
}

/** `edumon alerts list --json ARGS...` (exit 0 asserted), one object per alert as it prints them. */
export async function listAlerts(env: Record<string, string>, ...args: string[]): Promise<Record<string, unknown>[]> {
  const r = await runEdumon(['alerts', 'list', '--json', ...args], env);
  if (r.code !== 0) throw new Error(`edumon alerts list exited ${r.code}:\n${r.output}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
