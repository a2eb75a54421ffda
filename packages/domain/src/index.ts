export * from './time.ts';
export * from './opening-hours.ts';
export * from './policy.ts';
export * from './geo.ts';
export * from './recurrence.ts';
export * from './slots.ts';
export * from './booking-rules.ts';
export * from './utilization.ts';
