/**
 * drizzle wraps driver errors, so the SQLSTATE may sit on the error or on its `cause`.
 * These are the states that mean "someone else got there first", never a server fault.
 */
export const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  exclusionViolation: '23P01',
  /** Raised by the history triggers (migration 0003). */
  restrictViolation: '23001',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  /** statement_timeout fired (or the query was cancelled): the request was too costly, not wrong. */
  queryCanceled: '57014',
} as const;

export function sqlStateOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The constraint a violation names, e.g. "bookings_no_overlap". */
export function constraintOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const name = (current as { constraint?: unknown }).constraint;
    if (typeof name === 'string') return name;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
