export * from './common.ts';
export * from './errors.ts';
export * from './policies.ts';
export * from './sites.ts';
export * from './spaces.ts';
export * from './organizations.ts';
export * from './auth.ts';
