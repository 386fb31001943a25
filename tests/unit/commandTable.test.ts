/** The main help's command table: each entry loads the command it names, whose own summary it repeats. */
import { describe, expect, it } from 'vitest';
import { commands } from '../../bin/commandTable.ts';

describe('the command table', () => {
  it.each(commands.map((c) => [c.name, c] as const))('`%s` loads its command, and the main help says what its own help says', async (_, entry) => {
    const cmd = await entry.load();
    expect(cmd.name).toBe(entry.name);
    expect(cmd.summary).toBe(entry.summary);
  });

  it('lists each command once', () => {
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
  });
});
