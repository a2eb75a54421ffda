/**
 * The access-version cache: what another API process changed is seen within its TTL, what this process changed
 * at once (forget), and a missing account is no account.
 */
import { newId, schema } from '@linli/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createUser } from '../../test/factories.ts';
import { type TestApp, startTestApp } from '../../test/harness.ts';
import { createAccessStates } from './access-states.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('access states', () => {
  it('reads an account once per TTL; a change made elsewhere shows after it, a forgotten one at once', async () => {
    const org = await createOrg(t.db);
    const person = await createUser(t.db, { orgId: org.id, role: 'staff' });
    let clock = 0;
    const states = createAccessStates(t.db, () => clock);
    expect(await states.of(person.id)).toEqual({ version: 1, active: true });

    // Another process deactivates the account (its own cache is not this one).
    await t.db.update(schema.users).set({ accessVersion: 2, disabledAt: new Date() }).where(eq(schema.users.id, person.id));
    clock = 1_999;
    expect(await states.of(person.id)).toEqual({ version: 1, active: true });
    clock = 2_001;
    expect(await states.of(person.id)).toEqual({ version: 2, active: false });

    // This process reactivates it and forgets what it knew: the next request sees it.
    await t.db.update(schema.users).set({ disabledAt: null }).where(eq(schema.users.id, person.id));
    expect(await states.of(person.id)).toEqual({ version: 2, active: false });
    states.forget(person.id);
    expect(await states.of(person.id)).toEqual({ version: 2, active: true });

    expect(await states.of(newId())).toBeNull();
  });
});
