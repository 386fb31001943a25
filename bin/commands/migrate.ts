import type { Command } from '../../core/cli.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { migrate } from '../../pipeline/migrate.ts';

export const migrateCmd: Command = {
  name: 'migrate',
  summary: 'Create or update the warehouse schema (tables and views)',
  usage: 'migrate [--warehouse PATH]',
  options: {},
  async run(ctx) {
    const config = ctx.config();
    const instance = await openWarehouse(config.warehouse);
    const conn = await connect(instance);
    const report = await migrate(conn);
    conn.closeSync();
    instance.closeSync();
    ctx.out(
      report.applied.length
        ? `migrated ${config.warehouse}: applied ${report.applied.join(', ')}; ${report.views} views`
        : `${config.warehouse} is up to date; ${report.views} views refreshed`,
    );
  },
};
