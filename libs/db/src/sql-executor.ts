import type { ClientBase } from 'pg';

/** Runs SQL with `?` placeholders inside a transaction that is already open. */
export interface SqlExecutor {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  execute<T = any[]>(sql: string, params?: unknown[]): Promise<T>;
}

/**
 * Rewrites `?` placeholders as `$1`, `$2`, ... outside quoted literals and
 * identifiers, so statements keep the placeholder style MikroORM uses.
 */
export function numberPlaceholders(sql: string): string {
  let index = 0;
  let quote: string | null = null;
  let result = '';
  for (const character of sql) {
    if (quote) {
      if (character === quote) quote = null;
    } else if (character === "'" || character === '"') {
      quote = character;
    } else if (character === '?') {
      index += 1;
      result += `$${index}`;
      continue;
    }
    result += character;
  }
  return result;
}

const numbered = new Map<string, string>();

/** Wraps a pg client; rewritten statements are cached, since the same few hundred repeat. */
export function executorFor(client: ClientBase): SqlExecutor {
  return {
    async execute<T>(sql: string, params: unknown[] = []): Promise<T> {
      let text = numbered.get(sql);
      if (text === undefined) {
        text = numberPlaceholders(sql);
        if (numbered.size < 2000) numbered.set(sql, text);
      }
      const result = await client.query(text, params);
      return result.rows as T;
    },
  };
}
