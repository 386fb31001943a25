/**
 * The web console's own tables (sql/migrations/0011_console.sql): its users with their password
 * hashes, their sessions and the audit trail. Analysts' SQL may not read them (service/query.ts)
 * and snapshots leave them out (pipeline/snapshot.ts).
 */
export const CONSOLE_TABLES: readonly string[] = ['console_users', 'console_sessions', 'console_audit'];
