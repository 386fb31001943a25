import type { Command } from '../../core/cli.ts';
import { UsageError } from '../../core/errors.ts';
import { auditedUsersRequest, CLI_USER } from '../../service/console/auditedUsersRequest.ts';
import { serviceOrWarehouse } from '../../service/serviceOrWarehouse.ts';
import { formatLines } from '../formatResult.ts';
import { usersRequestOf } from './usersRequestOf.ts';

export const usersCmd: Command = {
  name: 'users',
  summary: 'Add, list or change the officials who sign in to the web console',
  usage:
    'users add LOGIN --name NAME --role county|city|data|analyst|admin [--region CODE...] [--password-stdin] |\n' +
    '       users list [--json] | users passwd LOGIN [--password-stdin] | users disable LOGIN [--enable] |\n' +
    '       users scope LOGIN --role ROLE [--region CODE...]',
  description:
    '控制台用户。角色：county 县区教育局（须 --region，可多个）、city 市教育局、data 数据组、analyst 分析人员、admin 管理员。\n' +
    '口令不出现在命令行：不给 --password-stdin 时生成一个并只显示这一次；--password-stdin 从标准输入的第一行读取（至少 10 个字符）。\n' +
    'Console users. Roles: county (a county or district education bureau; needs --region, one or more), city,\n' +
    'data (the data team), analyst, admin. A password is never on the command line (`ps` shows it to every\n' +
    'user): without --password-stdin one is generated and printed this once; with it, the first line of stdin\n' +
    'is the password (10 characters or more).\n' +
    'passwd: sets a password (and unlocks an account locked by wrong ones). disable: refuses the account its\n' +
    "logins (--enable lets it in again). scope: changes the role and regions. Each of these ends the user's\n" +
    "sessions, and every change is written to the audit trail as user `cli` (the console's 审计 page).\n" +
    'list: every user, role, regions, disabled, locked until (Asia/Shanghai); never a password or its hash.\n' +
    'While `edumon run` is up the request goes through it; otherwise the warehouse file is opened.\n' +
    'Examples / 示例:\n' +
    '  edumon users add wen --name 温县教育局 --role county --region 410825\n' +
    '  edumon users add liu --name 刘老师 --role city\n' +
    '  printf \'%s\\n\' "$PASSWORD" | edumon users passwd wen --password-stdin\n' +
    '  edumon users scope wen --role county --region 410825,410822\n' +
    '  edumon users disable wen',
  options: {
    name: { type: 'string', value: 'NAME', help: 'add: the person’s or office’s name, as the console shows it' },
    role: { type: 'string', value: 'ROLE', help: 'add, scope: county, city, data, analyst or admin' },
    region: {
      type: 'string',
      multiple: true,
      value: 'CODE',
      help: 'add, scope: a region a county official covers (410825 温县...); repeat it or separate codes with commas',
    },
    'password-stdin': { type: 'boolean', help: 'add, passwd: read the password from the first line of stdin instead of generating one' },
    enable: { type: 'boolean', help: 'disable: enable the account again' },
    json: { type: 'boolean', help: 'one JSON object per line' },
  },
  async run(ctx) {
    const req = await usersRequestOf(ctx.positionals, ctx.values, readStdin);
    const config = ctx.config();
    const answer = await serviceOrWarehouse(config.warehouse, { path: '/users', body: req }, { write: req.action !== 'list' }, (conn) =>
      auditedUsersRequest(conn, req, { user: CLI_USER, address: null }),
    );
    ctx.outLines(formatLines(answer, ctx.values.json ? 'json' : 'table'));
    if ((req.action === 'add' || req.action === 'passwd') && req.password === undefined) {
      process.stderr.write(
        '口令只显示这一次，请当面或经安全渠道交给本人 / the password is shown this once: hand it to its owner in person or another safe way\n',
      );
    }
    return 0;
  },
};

/** Everything on stdin; refused on a terminal, where what is typed would be echoed (and --password-stdin is for pipes). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError(
      '--password-stdin reads a pipe, not a terminal: printf \'%s\\n\' "$PASSWORD" | edumon users ... --password-stdin, or leave it out for a generated password',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
