/**
 * The ceiling for `npm run bench`: a bare Fastify + pg server doing one statement per request on the same tables
 * as the API, in its own process like the API. Env: DATABASE_URL, ORG_ID, PORT.
 *
 * Each endpoint also comes as a named prepared statement (`?prepared=1`): the API prepares its hot statements,
 * so the bench reports its ratio against both the plain ceiling and this stricter one.
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 30 });
const orgId = process.env.ORG_ID;
const app = Fastify();

app.get('/healthz', async () => ({ status: 'ok' }));

const statement = (name: string, text: string, prepared: boolean) => (prepared ? { name, text } : { text });

app.post('/insert', async (request, reply) => {
  const b = request.body as { spaceId: string; siteId: string; startAt: string; endAt: string };
  const prepared = (request.query as { prepared?: string }).prepared === '1';
  try {
    const text = `INSERT INTO bookings (id, org_id, site_id, space_id, exclusive, start_at, end_at, status, source)
       VALUES (gen_random_uuid(), $1, $2, $3, true, $4, $5, 'confirmed', 'staff') RETURNING id`;
    const { rows } = await pool.query({ ...statement('insert', text, prepared), values: [orgId, b.siteId, b.spaceId, b.startAt, b.endAt] });
    return reply.status(201).send(rows[0]);
  } catch {
    return reply.status(409).send({});
  }
});

app.get('/rows', async (request) => {
  const q = request.query as { spaceId: string; from: string; prepared?: string };
  const text = 'SELECT * FROM bookings WHERE space_id = $1 AND start_at >= $2 ORDER BY start_at LIMIT 20';
  const { rows } = await pool.query({ ...statement('rows', text, q.prepared === '1'), values: [q.spaceId, q.from] });
  return rows;
});

const url = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
console.log(`listening ${url}`);
