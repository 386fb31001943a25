/**
 * What `edumon notify check` shows (pure: the config and the clock in, a plain object out): who
 * an alert of each region and severity would reach (route.ts, the same functions the policy
 * uses, so the check cannot disagree with what is sent), the data team for DQ-* alerts, the
 * escalation contacts, and the mute settings with the next holidays (calendar.ts).
 */
import type { Config } from '../../core/config.ts';
import { regionName, regions } from '../../core/regions.ts';
import type { Severity } from '../rules.ts';
import {
  CALENDAR_HORIZON_DAYS,
  CALENDAR_PACKAGE,
  type CalendarGap,
  type CalendarOverride,
  calendarGap,
  FIXED_HOLIDAYS,
  type HolidayPeriod,
  type Mute,
  muteUntil,
  upcomingHolidays,
} from './calendar.ts';
import { CALENDAR_CONFIG_KEY } from './calendarStale.ts';
import { escalationRecipientsOf, type Recipient, recipientsOf } from './route.ts';

/** Most severe first, as a reader scans. */
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** One recipient as the check lists it: the contact (id, name, address, language) and the region whose list it came from (null: the data team). */
export interface CheckedRecipient {
  id: string;
  name: string;
  email: string;
  language: 'zh-CN' | 'en';
  scopeRegion: string | null;
  /** The scope region's Chinese name, or null for the data team. */
  scopeName: string | null;
}

/** Who an alert of one severity reaches: first, and when left unacknowledged escalateAfterDays. */
export interface SeverityRouting {
  severity: Severity;
  recipients: CheckedRecipient[];
  escalation: CheckedRecipient[];
}

export interface RegionRouting {
  code: string;
  name: string;
  severities: SeverityRouting[];
}

export interface NotifyCheck {
  /** The moment checked (ISO 8601 UTC). */
  at: string;
  /** Every Jiaozuo region, in core/regions.ts order (the city first). */
  regions: RegionRouting[];
  /** DQ-* alerts (no region): the data team, escalated to the city's escalation contacts. */
  dataTeam: SeverityRouting[];
  escalateAfterDays: number;
  mute: {
    /** Asia/Shanghai wall-clock windows, as configured. */
    windows: Array<{ from: string; to: string }>;
    holidays: boolean;
    overrides: CalendarOverride[];
    /** The next three holidays from today (Asia/Shanghai), one in progress included. */
    upcoming: HolidayPeriod[];
    /** Whether notices would be held at `at`, until when (ISO 8601 UTC) and why. */
    now: { until: string; reason: string } | null;
    /**
     * Where the holiday calendar stops being covered within `horizonDays` (as DQ-CALENDAR-STALE
     * judges it), or null: from that day on only `knownWithoutNotice` holidays are muted until
     * `configKey` is filled.
     */
    calendar: { source: string; horizonDays: number; gap: CalendarGap | null; configKey: string; knownWithoutNotice: string[] };
  };
}

const checked = (rs: Recipient[]): CheckedRecipient[] =>
  rs.map(({ contact, scopeRegion }) => ({
    id: contact.id,
    name: contact.name,
    email: contact.email,
    language: contact.language,
    scopeRegion,
    scopeName: scopeRegion === null ? null : regionName(scopeRegion),
  }));

/**
 * The routing of every region and severity and the mute settings, as of `now` (epoch ms). A rule
 * id stands in for the alert's rule: any non-DQ id routes by region, any DQ-* id to the data team.
 */
export function notifyCheck(notify: Config['notify'], now: number): NotifyCheck {
  const route = (rule: string, region: string | null): SeverityRouting[] =>
    SEVERITIES.map((severity) => {
      const alert = { rule, region_code: region, severity };
      return { severity, recipients: checked(recipientsOf(alert, notify)), escalation: checked(escalationRecipientsOf(alert, notify)) };
    });
  const mute: Mute | null = muteUntil(now, notify);
  return {
    at: new Date(now).toISOString(),
    regions: regions.map((r) => ({ code: r.code, name: r.zh, severities: route('CHECK', r.code) })),
    dataTeam: route('DQ-CHECK', null),
    escalateAfterDays: notify.escalateAfterDays,
    mute: {
      windows: notify.muteWindows,
      holidays: notify.muteHolidays,
      overrides: notify.calendarOverrides,
      upcoming: upcomingHolidays(now, notify.calendarOverrides, 3),
      now: mute && { until: new Date(mute.until).toISOString(), reason: mute.reason },
      calendar: {
        source: CALENDAR_PACKAGE,
        horizonDays: CALENDAR_HORIZON_DAYS,
        gap: calendarGap(now, notify.calendarOverrides),
        configKey: CALENDAR_CONFIG_KEY,
        knownWithoutNotice: [...new Set(FIXED_HOLIDAYS.map((h) => h.name))],
      },
    },
  };
}
