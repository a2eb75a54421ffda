/**
 * Named prepared statements for the API's hot queries. PostgreSQL then parses and plans a statement once per
 * connection instead of on every call; for the search's bookings read, planning cost more than executing it
 * (measured with pgbench: 4,500 vs 11,900 calls/s unprepared vs prepared).
 */
import { createHash } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import { PgDialect, type PgSession } from 'drizzle-orm/pg-core';
import type { Database, Transaction } from './client.ts';

const dialect = new PgDialect();
/** Statement names by text: the name is a digest of the text, so one name never stands for two statements. */
const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `linli_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs raw SQL as a named prepared statement and returns its rows. Only for statements whose text does not vary
 * with the data (values go in as parameters), or every variant becomes a statement kept on every connection.
 * PGlite, a single in-process connection, runs it as an ordinary query.
 */
export async function queryPrepared<Row>(db: Database | Transaction, query: SQL): Promise<Row[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  // drizzle keeps the session (and, inside a transaction, its connection) here; its public API prepares only
  // query-builder statements, not raw SQL.
  const session = (db as unknown as { _: { session: PgSession } })._.session;
  const result = (await session.prepareQuery({ sql: text, params }, undefined, statementName(text), false).execute()) as { rows: Row[] };
  return result.rows;
}
