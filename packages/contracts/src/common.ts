import { z } from 'zod';

export const Uuid = z.uuid();
export const IdParams = z.strictObject({ id: z.uuid() });
export type IdParams = z.infer<typeof IdParams>;

export const IsoInstant = z.iso.datetime({ offset: true });
export const LocalDate = z.iso.date();

export const MAX_PAGE_SIZE = 200;
export const PageQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** A page of a list endpoint; `nextCursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** RFC 9457 problem details, with a stable `code` and the request id for support. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  requestId: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type Problem = z.infer<typeof Problem>;

export const OkResponse = z.object({ ok: z.literal(true) });
