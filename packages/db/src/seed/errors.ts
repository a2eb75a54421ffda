/**
 * Thrown when seeding would mix fixtures into a database that already holds data. The CLI prints its message
 * as one line; the API can map `code` to its SEED_REFUSED problem.
 */
export class SeedRefusedError extends Error {
  readonly code = 'SEED_REFUSED';

  constructor(message: string) {
    super(message);
    this.name = 'SeedRefusedError';
  }
}
