/** Demo data and benchmark portfolios: `@linli/db/seed`. */
export { DEMO_ORG_SLUG, DEMO_PASSWORD, type DemoLogin, type DemoSeedOptions, type DemoSummary, seedDemoPortfolio } from './demo.ts';
export { BENCH_PASSWORD, type GenerateOptions, type GenerateSummary, generatePortfolio } from './generate.ts';
export { SeedRefusedError } from './errors.ts';
export { databaseHasData } from './reset.ts';
