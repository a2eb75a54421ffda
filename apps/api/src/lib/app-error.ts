import type { ErrorCode } from '@linli/contracts';

export interface AppErrorOptions {
  /** A sentence for people, overriding the catalog message. */
  detail?: string;
  /** Field problems, as in a validation error. */
  errors?: { path: string; message: string }[];
  /** Machine-readable extras (e.g. suggested alternatives). */
  details?: Record<string, unknown>;
}

/** The only error services throw on purpose; the error plugin turns it into a problem+json answer. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly options: AppErrorOptions = {},
  ) {
    super(options.detail ?? code);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', { detail: `${what} not found` });
