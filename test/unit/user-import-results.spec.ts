import { resultsCsv } from '../../apps/console/src/users/user-import.controller';

describe('user import results CSV', () => {
  const row = (name: string) => ({ line_number: 2, email: 'a@example.com', company_ref: 'C-1', name, outcome: 'failed' as const, message: null });

  it.each([
    ['=1+1', `"'=1+1"`],
    ['+1', `"'+1"`],
    ['-1', `"'-1"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['|calc', `"'|calc"`],
    ['\uFF1D1+1', `"'\uFF1D1+1"`],
    ['\tx', `"'\tx"`],
  ])('prefixes %j so it stays text', (name, cell) => {
    expect(resultsCsv([row(name)]).split('\n')[1]).toContain(`,${cell},`);
  });

  it('quotes a cell that holds a separator', () => {
    const line = resultsCsv([row(`Ann;=cmd|' /C calc'!A0`)]).split('\n')[1];
    expect(line).toBe(`"2","a@example.com","C-1","Ann;=cmd|' /C calc'!A0","failed",""`);
  });
});
