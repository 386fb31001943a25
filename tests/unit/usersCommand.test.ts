/**
 * `edumon users` without a process, a service or a warehouse: its arguments as the request they
 * ask for (bin/commands/usersRequestOf.ts), and the demo's users made once and found again
 * (service/console/demoUsers.ts). What requests do to a warehouse, and the audit trail they
 * leave, is tests/integration/consoleUsers.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import { type UsersValues, usersRequestOf } from '../../bin/commands/usersRequestOf.ts';
import { UsageError } from '../../core/errors.ts';
import { demoUsers } from '../../service/console/demoUsers.ts';
import type { UsersAnswer, UsersRequest } from '../../service/console/userStore.ts';

const noStdin = () => Promise.reject(new Error('stdin read without --password-stdin'));
const stdin = (text: string) => () => Promise.resolve(text);

describe('usersRequestOf', () => {
  it('reads add with repeated and comma-separated regions, the login in lower case', async () => {
    const req = await usersRequestOf(['add', 'Wen'], { name: ' 温县教育局 ', role: 'county', region: ['410825,410822', '410821'] }, noStdin);
    expect(req).toEqual({ action: 'add', id: 'wen', name: '温县教育局', role: 'county', regions: ['410825', '410822', '410821'] });
  });

  it('takes the password from the first line of stdin, only with --password-stdin', async () => {
    expect(await usersRequestOf(['passwd', 'wen'], { 'password-stdin': true }, stdin('s3cret-enough\r\nignored\n'))).toEqual({
      action: 'passwd',
      id: 'wen',
      password: 's3cret-enough',
    });
    expect(await usersRequestOf(['passwd', 'wen'], {}, noStdin)).toEqual({ action: 'passwd', id: 'wen' });
    await expect(usersRequestOf(['passwd', 'wen'], { 'password-stdin': true }, stdin('\n'))).rejects.toThrow(/read no password/);
  });

  it('reads list, disable, enable and scope', async () => {
    expect(await usersRequestOf(['list'], { json: true }, noStdin)).toEqual({ action: 'list' });
    expect(await usersRequestOf(['disable', 'wen'], {}, noStdin)).toEqual({ action: 'disable', id: 'wen' });
    expect(await usersRequestOf(['disable', 'wen'], { enable: true }, noStdin)).toEqual({ action: 'disable', id: 'wen', enable: true });
    expect(await usersRequestOf(['scope', 'wen'], { role: 'city' }, noStdin)).toEqual({ action: 'scope', id: 'wen', role: 'city', regions: [] });
  });

  it.each<[string, string[], UsersValues, RegExp]>([
    ['no sub-command', [], {}, /expected add, list/],
    ['an unknown sub-command', ['remove', 'wen'], {}, /expected add, list/],
    ['add without a login', ['add'], { name: 'x', role: 'city' }, /give one LOGIN/],
    ['add without --role', ['add', 'wen'], { name: 'x' }, /give --name NAME and --role/],
    ['list with an argument', ['list', 'wen'], {}, /takes no arguments/],
    ['an option the sub-command does not read', ['passwd', 'wen'], { role: 'city' }, /does not take --role/],
    ['--enable on add', ['add', 'wen'], { name: 'x', role: 'city', enable: true }, /does not take --enable/],
    ['scope without --role', ['scope', 'wen'], { region: ['410825'] }, /give --role/],
  ])('refuses %s (exit 2)', async (_, positionals, values, message) => {
    const p = usersRequestOf(positionals, values, noStdin);
    await expect(p).rejects.toThrow(message);
    await expect(p).rejects.toBeInstanceOf(UsageError);
  });
});

describe('demoUsers', () => {
  /** A users function over a set of logins, as the service's answers it (list, then add with a generated password). */
  const fakeUsers =
    (logins: Set<string>) =>
    async (req: UsersRequest): Promise<UsersAnswer> => {
      if (req.action === 'list') return { columns: ['id', 'name'], rows: [...logins].map((id) => [id, id]) };
      if (req.action !== 'add') throw new Error(`unexpected ${req.action}`);
      logins.add(req.id);
      return { columns: ['id', 'role', 'regions', 'password'], rows: [[req.id, req.role, (req.regions ?? []).join(','), `pw-${req.id}`]] };
    };

  it('makes the five demo users, one per role, once; a second run finds them and knows no password', async () => {
    const logins = new Set(['wen']);
    const first = await demoUsers(fakeUsers(logins));
    expect(first.map((u) => [u.id, u.role, u.regions.join(','), u.password])).toEqual([
      ['wen', 'county', '410825', null],
      ['city', 'city', '', 'pw-city'],
      ['data', 'data', '', 'pw-data'],
      ['analyst', 'analyst', '', 'pw-analyst'],
      ['admin', 'admin', '', 'pw-admin'],
    ]);
    const again = await demoUsers(fakeUsers(logins));
    expect(again.map((u) => u.password)).toEqual([null, null, null, null, null]);
  });
});
