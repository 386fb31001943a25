// Loaded by `node --import` (NODE_OPTIONS) in tests: appends the npm package of every module the
// process imports to the file EDUMON_TEST_PACKAGES_FILE, one name a line, so a test can say what a
// command loaded. Every package edumon uses is imported from its own (ESM) code, so the ESM
// resolve hook sees each one.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// This file is both the registration (main thread) and the hooks (their own thread).
if (isMainThread) register(import.meta.url);

/** The resolve hook: records the package of what was resolved, if it is one. */
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(resolved.url)?.[1];
  if (pkg) appendFileSync(process.env.EDUMON_TEST_PACKAGES_FILE, `${pkg}\n`);
  return resolved;
}
