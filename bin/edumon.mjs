#!/usr/bin/env node
// Entry point of the `edumon` CLI: runs the compiled build of the sources (infra/build.mjs), built
// at install and by the test command. When a source changed since, it is rebuilt first (half a
// second), so what runs is always what the sources say.
import { build, currentBuild } from '../infra/build.mjs';

let entry = currentBuild();
if (!entry) {
  try {
    entry = await build();
  } catch (err) {
    const reason = err.message.split('\n')[0].replace(/:$/, '');
    process.stderr.write(`edumon: the sources changed since the last build and rebuilding failed (${reason}); fix that, then run \`npm run build\`\n`);
    process.exit(1);
  }
}
await import(entry);
