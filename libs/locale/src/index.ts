export * from './formatters';
export * from './money';
export * from './zoned-time';
