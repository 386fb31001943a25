/**
 * Who may see and do what in the console: a pure function of the user (issue 23, part 1). A county
 * official (`county`) covers the regions listed on the account; a city official (`city`) every
 * region; the data team (`data`) the data-health alerts (DQ-*, no region), feeds, the DLQ and the
 * outbox; an analyst (`analyst`) SQL, snapshots and indicators; an admin (`admin`) the users and
 * the audit trail.
 */
import { CITY_CODE, regionOf } from '../../core/regions.ts';

export const roles = ['county', 'city', 'data', 'analyst', 'admin'] as const;
export type Role = (typeof roles)[number];

/** The role's name as officials say it, Chinese then English. */
export const roleNames: Record<Role, { zh: string; en: string }> = {
  county: { zh: '县（市、区）教育局', en: 'County official' },
  city: { zh: '市教育局', en: 'City official' },
  data: { zh: '数据组', en: 'Data team' },
  analyst: { zh: '分析人员', en: 'Analyst' },
  admin: { zh: '管理员', en: 'Administrator' },
};

/** A signed-in user as the console sees them (no password hash). */
export interface ConsoleUser {
  id: string;
  name: string;
  role: Role;
  /** Region codes a county official covers; empty for the other roles. */
  regions: readonly string[];
}

/** What an alert shows of itself to a scope check. */
export interface Scoped {
  rule: string;
  region_code: string | null;
}

const isDataHealth = (a: Scoped) => a.rule.startsWith('DQ-') || a.region_code === null;

/** Whether `user` may see (and act on) the alert: county officials their regions' only; city all regional ones; the data team data health; admins all. */
export function canSeeAlert(user: ConsoleUser, alert: Scoped): boolean {
  switch (user.role) {
    case 'admin':
      return true;
    case 'city':
      return !isDataHealth(alert) || alert.region_code === CITY_CODE;
    case 'data':
      return isDataHealth(alert);
    case 'county':
      return alert.region_code !== null && user.regions.includes(alert.region_code);
    case 'analyst':
      return false;
  }
}

/**
 * The alert filter a board query applies for `user`: region codes (county), data health only
 * (data team), every regional alert (city), everything (admin), nothing (analyst).
 */
export type AlertScope = { kind: 'all' } | { kind: 'regional' } | { kind: 'dataHealth' } | { kind: 'regions'; regions: readonly string[] } | { kind: 'none' };

export function alertScopeOf(user: ConsoleUser): AlertScope {
  switch (user.role) {
    case 'admin':
      return { kind: 'all' };
    case 'city':
      return { kind: 'regional' };
    case 'data':
      return { kind: 'dataHealth' };
    case 'county':
      return { kind: 'regions', regions: user.regions };
    case 'analyst':
      return { kind: 'none' };
  }
}

/** The console's pages (and the actions on them), and which roles reach each. */
export const pageRoles = {
  alerts: ['county', 'city', 'data', 'admin'],
  indicators: ['county', 'city', 'data', 'analyst', 'admin'],
  quality: ['city', 'data', 'admin'],
  health: ['data', 'admin'],
  sql: ['analyst', 'data'],
  users: ['admin'],
  audit: ['admin'],
  release: ['data', 'admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Page = keyof typeof pageRoles;

/** Whether `user` reaches `page`. */
export const canReach = (user: ConsoleUser, page: Page): boolean => (pageRoles[page] as readonly Role[]).includes(user.role);

/** The regions whose indicators `user` may read: their own for a county official, every one (the city's included) for the others. */
export function indicatorRegions(user: ConsoleUser): readonly string[] | 'all' {
  return user.role === 'county' ? user.regions : 'all';
}

/**
 * Checks a role and regions as `edumon users add|scope` give them: a county official needs at least
 * one county or district code (core/regions.ts), other roles none. Returns the problem, or null.
 */
export function scopeProblem(role: string, regions: readonly string[]): string | null {
  if (!(roles as readonly string[]).includes(role)) return `角色应为 ${roles.join('、')} 之一 / role is one of ${roles.join(', ')}, not '${role}'`;
  const unknown = regions.filter((r) => !regionOf(r) || r === CITY_CODE);
  if (unknown.length) return `未知的县区代码 / not a county or district code: ${unknown.join(', ')}`;
  if (role === 'county' && regions.length === 0) return '县区教育局用户须指定所辖区域（--region） / a county official needs the regions they cover (--region)';
  if (role !== 'county' && regions.length > 0) return `${role} 用户不按区域限定 / a ${role} user covers no regions (only county officials do)`;
  return null;
}
