export * from './time.ts';
export * from './opening-hours.ts';
export * from './policy.ts';
export * from './geo.ts';
