import { InvalidInputError } from '../../observability/src/errors';

/**
 * Reads optional single-valued query parameters. A repeated parameter
 * (?status=a&status=b) arrives as an array and is rejected, not guessed at.
 */
export function singleValues<K extends string>(query: Record<string, unknown>, names: readonly K[]): Partial<Record<K, string>> {
  const values: Partial<Record<K, string>> = {};
  const problems: Record<string, string> = {};
  for (const name of names) {
    const value = query[name];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') problems[name] = 'must be given once';
    else values[name] = value;
  }
  if (Object.keys(problems).length > 0) throw new InvalidInputError(problems);
  return values;
}
