/** Every page of the console, in the order their routes are added. */
import type { Register } from '../server.ts';
import { registerAdminAudit } from './adminAudit.ts';
import { registerAdminUsers } from './adminUsers.ts';
import { registerAlert } from './alert.ts';
import { registerBoard } from './board.ts';
import { registerHealth } from './health.ts';
import { registerIndicators } from './indicators.ts';
import { registerLogin } from './login.ts';
import { registerQuality } from './quality.ts';
import { registerSql } from './sql.ts';

export const consolePages: readonly Register[] = [
  registerLogin,
  registerBoard,
  registerAlert,
  registerIndicators,
  registerQuality,
  registerHealth,
  registerSql,
  registerAdminUsers,
  registerAdminAudit,
];
