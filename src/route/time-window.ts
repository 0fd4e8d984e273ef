import { DAYS, type Day } from './rule-schema.js';

export interface TimeWindow {
  days?: Day[] | undefined;
  from: string;
  to: string;
  timezone?: string | undefined;
}

export interface LocalTime {
  day: Day;
  minutes: number;
  /** "mon 23:15 Europe/Oslo", for explanations. */
  text: string;
}

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The weekday and minute of the day of an instant in a time zone (the hub's own zone when none is given). */
export function localTime(at: Date, timezone: string | undefined): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = part('weekday').toLowerCase().slice(0, 3) as Day;
  const hour = Number(part('hour'));
  const minute = Number(part('minute'));
  const clock = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return { day, minutes: hour * 60 + minute, text: `${day} ${clock} ${timezone ?? 'local time'}` };
}

function previousDay(day: Day): Day {
  return DAYS[(DAYS.indexOf(day) + DAYS.length - 1) % DAYS.length] as Day;
}

/**
 * Whether an instant falls in a window. A window whose end is before its start crosses midnight
 * (22:00-06:00); its days are the days it starts on, so Monday 22:00-06:00 covers Tuesday 01:00.
 * The end minute is outside the window.
 */
export function inTimeWindow(window: TimeWindow, at: Date): { inside: boolean; local: LocalTime } {
  const local = localTime(at, window.timezone);
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  let startDay: Day | undefined;
  if (from < to) startDay = local.minutes >= from && local.minutes < to ? local.day : undefined;
  else if (local.minutes >= from) startDay = local.day;
  else if (local.minutes < to) startDay = previousDay(local.day);
  const inside = startDay !== undefined && (window.days === undefined || window.days.includes(startDay));
  return { inside, local };
}
