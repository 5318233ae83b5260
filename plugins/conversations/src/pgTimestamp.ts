/**
 * Checks a timestamp as PostgreSQL prints a `timestamptz` as text (`2025-01-31 12:00:00.123456+00`,
 * `10000-01-01 00:00:00+00`, `0001-06-01 00:00:00+00 BC`, `infinity`) before it goes back into a
 * query as a cursor key: a value PostgreSQL would refuse (month 13, 30 February, hour 99, offset +99,
 * year 0 or past 294276) must be the client's 400, not the database's error.
 */

const SHAPE =
  /^(\d{4}|[1-9]\d{4,5})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?|Z)( BC)?$/;

const DAY_S = 86_400;
/** PostgreSQL's range of timestamptz, in whole seconds since 1970 (UTC): 4714-11-24 BC (Julian day 0) to 294276-12-31 23:59:59. */
const MIN_S = epochDays(-4713, 11, 24) * DAY_S;
const MAX_S = (epochDays(294276, 12, 31) + 1) * DAY_S - 1;
/** PostgreSQL refuses offsets from 16 hours on. */
const MAX_OFFSET_HOURS = 15;

/** True for `infinity`, `-infinity`, or a real instant within PostgreSQL's timestamptz range. */
export function isPgTimestamp(value: unknown): boolean {
  if (value === 'infinity' || value === '-infinity') return true;
  if (typeof value !== 'string') return false;
  const m = SHAPE.exec(value);
  if (m === null) return false;
  const [, y, mo, d, h, mi, s, sign, oh, om, os, bc] = m;
  // Year 1 BC is astronomical year 0; PostgreSQL has no year 0 of its own.
  const year = bc === undefined ? Number(y) : 1 - Number(y);
  if (Number(y) < 1) return false;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return false;
  if (Number(oh ?? 0) > MAX_OFFSET_HOURS || Number(om ?? 0) > 59 || Number(os ?? 0) > 59) return false;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh ?? 0) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0));
  const utc = epochDays(year, month, day) * DAY_S + Number(h) * 3600 + Number(mi) * 60 + Number(s) - offset;
  return utc >= MIN_S && utc <= MAX_S;
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (astronomical year), as in Howard Hinnant's days_from_civil. */
function epochDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
