import type { Database, Transaction } from '@linli/db';
import type { SQL } from 'drizzle-orm';

/** Runs raw SQL and returns its rows (node-postgres and PGlite both answer with `rows`). */
export async function queryRows<Row>(db: Database | Transaction, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}

/**
 * A PostgreSQL array literal, every element quoted: one text parameter, the same on node-postgres and PGlite, and
 * far cheaper to send than thousands of bind parameters.
 */
export function arrayLiteral(values: readonly (string | number | boolean | null)[]): string {
  const items = values.map((v) => (v === null ? 'NULL' : `"${String(v).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`));
  return `{${items.join(',')}}`;
}

/** A LIKE pattern matching `text` anywhere, its own % _ and \ taken literally (PostgreSQL's default escape is \). */
export const containing = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
