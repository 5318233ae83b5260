import { describe, expect, it } from 'vitest';
import { isPgTimestamp } from './pgTimestamp.js';

// PostgreSQL reads every accepted value (`SELECT '<value>'::timestamptz`); it refuses the refused
// ones, apart from forms it never prints (hour 24, second 60, a padded year, seven fraction digits).
describe('isPgTimestamp', () => {
  it.each([
    '2025-01-31 12:00:00+00',
    '2025-01-31 12:00:00.123456+00',
    '2025-01-31T12:00:00Z',
    '2025-01-31 12:00:00+05:30',
    '2025-01-01 00:00:00+0530',
    '2024-02-29 00:00:00+15:59:59',
    '2024-02-29 00:00:00-15',
    '10000-01-01 00:00:00+00',
    '294276-12-31 23:59:59.999999+00',
    '0001-06-01 00:00:00+00 BC',
    '0001-02-29 00:00:00+00 BC',
    '4714-11-24 00:00:00+00 BC',
    '4714-11-24 00:00:00-01 BC',
    'infinity',
    '-infinity',
  ])('accepts %s, which PostgreSQL reads', (value) => {
    expect(isPgTimestamp(value)).toBe(true);
  });

  it.each([
    ['month 13', '2025-13-01 00:00:00+00'],
    ['month 00', '2025-00-10 00:00:00+00'],
    ['day 00', '2025-01-00 00:00:00+00'],
    ['30 February', '2024-02-30 00:00:00+00'],
    ['29 February of a common year', '2023-02-29 00:00:00+00'],
    ['31 April', '2025-04-31 00:00:00+00'],
    ['hour 99', '2025-01-01 99:00:00+00'],
    ['hour 24', '2025-01-01 24:00:00+00'],
    ['minute 60', '2025-01-01 00:60:00+00'],
    ['second 60', '2025-01-01 23:59:60+00'],
    ['year 0000', '0000-01-01 00:00:00+00'],
    ['year 99999999', '99999999-01-01 00:00:00+00'],
    ['a year past 294276', '294277-01-01 00:00:00+00'],
    ['an offset that moves past the last instant', '294276-12-31 23:59:59-01'],
    ['an instant before Julian day 0', '4714-11-23 23:59:59+00 BC'],
    ['an offset that moves before Julian day 0', '4714-11-24 00:00:00+01 BC'],
    ['offset +99', '2025-01-01 00:00:00+99'],
    ['offset +16', '2024-02-29 00:00:00+16'],
    ['offset minutes 60', '2025-01-01 00:00:00+01:60'],
    ['a year with a leading zero past four digits', '02025-01-01 00:00:00+00'],
    ['seven fraction digits', '2025-01-01 00:00:00.1234567+00'],
    ['a date without a time', '2025-01-01'],
    ['a number', 20250101],
    ['null', null],
  ])('refuses %s', (_what, value) => {
    expect(isPgTimestamp(value)).toBe(false);
  });
});
