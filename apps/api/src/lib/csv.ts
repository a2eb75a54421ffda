/** CSV downloads: RFC 4180 with a UTF-8 BOM, shared by every report that offers `format=csv`. */
import type { FastifyReply } from 'fastify';

export interface CsvTable {
  filename: string;
  csv: string;
}

/**
 * RFC 4180 CSV with a UTF-8 byte order mark (Excel reads BOM-less UTF-8 as the local code page and garbles Chinese).
 * Text starting with = + - @ is prefixed with ' so a spreadsheet does not run it as a formula. `headers` replaces
 * the column keys in the header row (e.g. localized names).
 */
export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[], headers: readonly string[] = columns): string {
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    let text = typeof value === 'string' ? value : String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [headers.map(cell).join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Sends a table as a CSV download. */
export function sendCsv(reply: FastifyReply, { filename, csv }: CsvTable) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(csv);
}
