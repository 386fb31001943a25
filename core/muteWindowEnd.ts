/**
 * Mute-window membership, decided once: the config check (core/config.ts, windows that cover the
 * whole day) and the notify calendar (alerts/notify/calendar.ts, when a mute ends) both ask here.
 */

/** A mute window in minutes after Asia/Shanghai midnight: `from` inclusive, `to` exclusive; from > to wraps midnight. */
export interface MinuteWindow {
  from: number;
  to: number;
}

/** Minutes after midnight of a wall-clock time `HH:MM` (checked by the config schema). */
export function minutesOfClock(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * Where the window covering `minute` (minutes after midnight, fractions allowed) ends, in minutes
 * after the same midnight (past 1440 when it wraps into the next day), or null when `minute` is
 * outside the window.
 */
export function muteWindowEnd(window: MinuteWindow, minute: number): number | null {
  const { from, to } = window;
  if (from < to) return minute >= from && minute < to ? to : null;
  if (minute >= from) return 1440 + to;
  return minute < to ? to : null;
}
