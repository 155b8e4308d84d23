import { addDays, dateInZone, zonedTimeToInstant } from '../../locale/src';

/** Turns manifest date expressions into dates and instants for one tenant. */
export class DateResolver {
  private readonly today: string;

  constructor(
    private readonly timeZone: string,
    now: Date = new Date(),
  ) {
    this.today = dateInZone(now, timeZone);
  }

  /** Resolves `today`, `today±N` or an ISO date to YYYY-MM-DD. */
  date(expression: string): string;
  date(expression: string | null | undefined): string | null;
  date(expression: string | null | undefined): string | null {
    if (expression === null || expression === undefined) return null;
    const match = /^today(?:([+-])(\d+))?$/.exec(expression);
    if (!match) return expression;
    let days = match[2] ? Number(match[2]) : 0;
    if (match[1] === '-') days = -days;
    return addDays(this.today, days);
  }

  /** Resolves "<date expression> HH:MM" in the tenant's time zone to an instant. */
  instant(expression: string): Date;
  instant(expression: string | null | undefined): Date | null;
  instant(expression: string | null | undefined): Date | null {
    if (expression === null || expression === undefined) return null;
    const [date, time] = expression.split(' ');
    return zonedTimeToInstant(this.date(date), time, this.timeZone);
  }
}
