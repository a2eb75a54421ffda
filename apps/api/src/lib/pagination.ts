import { AppError } from './app-error.ts';

/**
 * Keyset pagination on UUIDv7 ids (creation order). The cursor is the last id of the previous page, opaque
 * to clients so the scheme can change.
 */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(id)) {
    throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'cursor', message: 'is not a cursor from this API' }] });
  }
  return id;
}

/** Callers fetch limit + 1 rows; the extra row only tells whether another page exists. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > limit && last ? Buffer.from(last.id, 'utf8').toString('base64url') : null,
  };
}
