/**
 * Splits rows for multi-row INSERTs: PostgreSQL accepts at most 65,535 bind parameters per statement, so a
 * batch of 1,000 rows leaves room for up to 65 columns.
 */
export const INSERT_BATCH_ROWS = 1000;

export function chunksOf<T>(rows: readonly T[], size: number = INSERT_BATCH_ROWS): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}
