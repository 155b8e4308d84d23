export * from './event-types';
export * from './secret-box';
export * from './signature';
export * from './target-address';
export * from './webhook-target';
