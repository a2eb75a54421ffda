export * from './client.ts';
export * from './migrate.ts';
export * from './errors.ts';
export * as schema from './schema.ts';
export * from './passwords.ts';
export { v7 as newId } from 'uuid';
export * from './prepared.ts';
