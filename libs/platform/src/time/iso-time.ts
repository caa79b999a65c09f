/**
 * ISO 8601 times as an API takes them, strictly: `new Date()` also takes "-1", "2024-02-30" (as
 * March 1st) and "yesterday"-like strings in some engines, so a typo answers about the wrong time.
 *
 * Accepted: a calendar date `YYYY-MM-DD` (midnight UTC), or a date and time
 * `YYYY-MM-DDThh:mm[:ss[.fraction]]` with `Z` or an offset `±hh:mm` (`±hhmm`, `±hh`). A time
 * without a zone is refused: which instant it means would depend on the server's zone.
 * Returns an Invalid Date (NaN time, as `new Date("nonsense")`) for anything else, including
 * dates that do not exist (February 30th, hour 24, minute 60).
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?))?$/;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

export function parseIsoTime(text: unknown): Date {
  const invalid = new Date(NaN);
  if (typeof text !== 'string') return invalid;
  const m = ISO_TIME.exec(text);
  if (!m) return invalid;
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return invalid;
  if (h === undefined) return utc(year, month, day, 0, 0, 0, 0);
  if (!zulu && !sign) return invalid; // a time of day needs its zone
  const [hour, minute, second] = [Number(h), Number(mi), Number(s ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return invalid;
  const offsetHours = Number(oh ?? 0);
  const offsetMinutes = Number(om ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return invalid;
  const ms = Number((fraction ?? '0').padEnd(3, '0').slice(0, 3));
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return new Date(utc(year, month, day, hour, minute, second, ms).getTime() - offset * 60_000);
}

function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): Date {
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year); // Date.UTC reads years 0-99 as 1900-1999
  return date;
}
