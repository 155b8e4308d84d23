import { addDays, dateInZone, formatterFor, multiplyMinor, parseMajorUnits, percentOf, zonedTimeToInstant } from '../../libs/locale/src';

describe('money', () => {
  it('parses major units into minor units', () => {
    expect(parseMajorUnits('1250.5', 'USD')).toBe(125050n);
    expect(parseMajorUnits('1250', 'JPY')).toBe(1250n);
    expect(parseMajorUnits('1.234', 'KWD')).toBe(1234n);
  });

  it('rejects more decimals than the currency has', () => {
    expect(() => parseMajorUnits('1.005', 'USD')).toThrow(/decimal places/);
    expect(() => parseMajorUnits('12,50', 'USD')).toThrow(/decimal amount/);
  });

  it('rounds percentages half up', () => {
    expect(percentOf(10000n, '8.25')).toBe(825n);
    expect(percentOf(1n, '50')).toBe(1n);
    expect(percentOf(123456n, '5')).toBe(6173n);
  });

  it('multiplies by decimal factors exactly', () => {
    expect(multiplyMinor(999n, '1.5')).toBe(1499n);
    expect(multiplyMinor(2n ** 60n, '2')).toBe(2n ** 61n);
  });

  it('formats per locale', () => {
    expect(formatterFor('en-US', 'UTC').money('123456', 'USD')).toBe('$1,234.56');
    expect(formatterFor('en-GB', 'Europe/London').money('123456', 'GBP')).toBe('£1,234.56');
    expect(formatterFor('en-CA', 'America/Edmonton').money('123456', 'CAD')).toBe('$1,234.56');
  });
});

describe('zoned time', () => {
  it('finds the calendar date in a zone', () => {
    const instant = new Date('2026-03-01T03:30:00Z');
    expect(dateInZone(instant, 'America/Chicago')).toBe('2026-02-28');
    expect(dateInZone(instant, 'Europe/London')).toBe('2026-03-01');
  });

  it('adds days across month ends', () => {
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });

  it('converts wall-clock times across daylight saving', () => {
    expect(zonedTimeToInstant('2026-01-15', '09:00', 'America/Chicago').toISOString()).toBe('2026-01-15T15:00:00.000Z');
    expect(zonedTimeToInstant('2026-07-15', '09:00', 'America/Chicago').toISOString()).toBe('2026-07-15T14:00:00.000Z');
    expect(zonedTimeToInstant('2026-07-15', '09:00', 'Europe/London').toISOString()).toBe('2026-07-15T08:00:00.000Z');
  });

  it('formats calendar dates without shifting them', () => {
    expect(formatterFor('en-US', 'Pacific/Honolulu').date('2026-03-01')).toBe('Mar 1, 2026');
  });
});
