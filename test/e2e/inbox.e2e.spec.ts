import { createUser } from '../support/fixtures';
import { TestApp } from '../support/http-app';

const PASSWORD = 'correct horse battery';

/**
 * The reviewer inbox over HTTP: each reviewer sees their own unit's work only, claims race safely,
 * administrators reassign, an acting colleague decides for an absent reviewer, and a decision moves
 * the nomination on. Real API, Temporal dev server, worker and PostgreSQL.
 */
describe('reviewer inbox over HTTP', () => {
  let t: TestApp;
  let campaignId: string;
  let ducLinh: string;
  const users: Record<string, string> = {};
  const nominations: Record<string, string> = {};

  /** Calls as one user (signing in first), then returns to the admin's token. */
  async function as<T>(username: string, fn: () => Promise<T>): Promise<T> {
    const admin = t.token;
    const password = username.startsWith('demo.') ? 'demo-password' : PASSWORD;
    expect((await t.login(username, password)).status).toBe(200);
    try {
      return await fn();
    } finally {
      t.token = admin;
    }
  }

  async function register(unitId: string, title: string) {
    const res = await t.call('POST', '/nominations', {
      campaignId,
      unitId,
      title,
      description: 'Mô tả mô hình.',
      field: title.includes('an ninh') ? 'defense_security' : 'economic',
      kind: 'collective',
      nomineeName: 'Ban công tác Mặt trận',
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const inbox = (query = '') => t.call('GET', `/tasks${query}`);
  const taskOf = async (nominationId: string) =>
    (await t.call('GET', `/tasks?nominationId=${nominationId}`)).body[0];

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    const [province] = (await t.call('GET', '/units')).body;
    const unit = (name: string) => {
      for (const d of province.children) {
        if (d.name === name) return d;
        const g = d.children.find((c: { name: string }) => c.name === name);
        if (g) return g;
      }
      throw new Error(name);
    };
    ducLinh = unit('Huyện Đức Linh').id;
    const tanhLinh = unit('Huyện Tánh Linh').id;
    campaignId = (await t.call('GET', '/campaigns')).body[0].id;
    const ds = t.db.dataSource;
    for (const [username, displayName, role, unitId] of [
      ['reviewer.a', 'Nguyễn Văn An', 'district_reviewer', ducLinh],
      ['reviewer.b', 'Lê Thị Bích', 'district_reviewer', ducLinh],
      ['reviewer.tl', 'Phạm Văn Tâm', 'district_reviewer', tanhLinh],
    ] as const) {
      users[username] = (
        await createUser(ds, { username, displayName, role, unitId, password: PASSWORD })
      ).userId;
    }
    nominations.voXu = await register(unit('Thị trấn Võ Xu').id, 'Mô hình "Chợ nông sản sạch"');
    nominations.namChinh = await register(unit('Xã Nam Chính').id, 'Mô hình "Camera an ninh thôn"');
    nominations.giaAn = await register(unit('Xã Gia An').id, 'Mô hình "Đường hoa nông thôn mới"');
  });
  afterAll(() => t?.close());

  it('shows a district reviewer only their district’s tasks, with what each is about, due first', async () => {
    const mine = await as('reviewer.a', () => inbox());
    expect(mine.status).toBe(200);
    expect(mine.body.map((x: { nominationId: string }) => x.nominationId).sort()).toEqual(
      [nominations.voXu, nominations.namChinh].sort(),
    );
    expect(mine.body[0]).toMatchObject({
      stage: 'district_registration',
      status: 'open',
      assigneeUnitId: ducLinh,
      assigneeUserId: null,
      allowedDecisions: ['accept', 'request_revision', 'reject'],
      overdue: false,
      nominationKind: 'collective',
    });
    expect(mine.body.map((x: { unitName: string }) => x.unitName).sort()).toEqual([
      'Thị trấn Võ Xu',
      'Xã Nam Chính',
    ]);
    const due = mine.body.map((x: { dueAt: string }) => Date.parse(x.dueAt));
    expect(due).toEqual([...due].sort((a, b) => a - b));

    const other = await as('reviewer.tl', () => inbox());
    expect(other.body.map((x: { nominationId: string }) => x.nominationId)).toEqual([nominations.giaAn]);
    // Another district's nomination and task do not exist for them.
    await as('reviewer.tl', async () => {
      expect((await t.call('GET', `/nominations/${nominations.voXu}`)).status).toBe(404);
      expect((await inbox(`?nominationId=${nominations.voXu}`)).body).toEqual([]);
    });
  });

  it('filters by text without diacritics, field, stage and overdue, and pages with a cursor', async () => {
    await as('reviewer.a', async () => {
      const found = await inbox('?q=NONG%20SAN');
      expect(found.body.map((x: { nominationTitle: string }) => x.nominationTitle)).toEqual([
        'Mô hình "Chợ nông sản sạch"',
      ]);
      expect(
        (await inbox('?field=defense_security')).body.map((x: { nominationId: string }) => x.nominationId),
      ).toEqual([nominations.namChinh]);
      expect((await inbox('?stage=district_review')).body).toEqual([]);
      expect((await inbox('?overdue=true')).body).toEqual([]);
      expect((await inbox('?overdue=maybe')).status).toBe(400);

      const first = await inbox('?limit=1');
      expect(first.body).toHaveLength(1);
      const cursor = first.headers.get('x-next-cursor');
      expect(cursor).toBeTruthy();
      const second = await inbox(`?limit=1&cursor=${cursor}`);
      expect(second.body).toHaveLength(1);
      expect(second.body[0].id).not.toBe(first.body[0].id);
      expect(second.headers.get('x-next-cursor')).toBeNull();
      expect(await inbox('?cursor=not-a-cursor')).toMatchObject({
        status: 400,
        body: { message: 'cursor: not a cursor this API returned' },
      });
    });
  });

  it('lets one of two reviewers claiming at once win; the other gets 409 and cannot decide it', async () => {
    const task = await taskOf(nominations.voXu);
    const tokens: Record<string, string> = {};
    for (const u of ['reviewer.a', 'reviewer.b']) {
      tokens[u] = (await t.call('POST', '/auth/login', { username: u, password: PASSWORD })).body.accessToken;
    }
    const claim = (u: string) =>
      t.call('POST', `/tasks/${task.id}/claim`, undefined, { authorization: `Bearer ${tokens[u]}` });
    const [a, b] = await Promise.all([claim('reviewer.a'), claim('reviewer.b')]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [winner, loser] = a.status === 200 ? ['reviewer.a', 'reviewer.b'] : ['reviewer.b', 'reviewer.a'];
    expect((a.status === 200 ? a : b).body).toMatchObject({
      assigneeUserId: users[winner],
      claimedByName: expect.any(String),
    });
    // Claiming again is no change for the holder, and still a refusal for the other.
    expect((await claim(winner)).status).toBe(200);
    expect((await claim(loser)).body.message).toMatch(/^the task is already claimed by /);

    const loserInbox = await as(loser, () => inbox());
    expect(loserInbox.body.map((x: { id: string }) => x.id)).not.toContain(task.id);
    const refused = await as(loser, () =>
      t.call('POST', `/tasks/${task.id}/decision`, { decision: 'accept' }),
    );
    expect(refused).toMatchObject({
      status: 409,
      body: { message: expect.stringMatching(/^the task is claimed by /) },
    });

    const decided = await as(winner, () =>
      t.call('POST', `/tasks/${task.id}/decision`, { decision: 'accept' }),
    );
    expect(decided).toMatchObject({ status: 200, body: { stage: 'district_review' } });
    expect((await t.call('GET', `/nominations/${nominations.voXu}`)).body.stage).toBe('district_review');
    // The next stage's task is back in the unit's pool, unclaimed.
    const next = await as(loser, () => inbox('?stage=district_review'));
    expect(next.body).toEqual([
      expect.objectContaining({ nominationId: nominations.voXu, assigneeUserId: null }),
    ]);
    const history = (await t.call('GET', `/nominations/${nominations.voXu}/history`)).body;
    expect(history.map((e: { action: string }) => e.action)).toEqual(['registered', 'claimed', 'decided']);
  });

  it('lets an admin reassign a task (the new holder is notified); reviewers cannot; a stranger is refused', async () => {
    const task = await taskOf(nominations.namChinh);
    const byReviewer = await as('reviewer.a', () =>
      t.call('POST', `/tasks/${task.id}/reassign`, { userId: users['reviewer.b'] }),
    );
    expect(byReviewer).toMatchObject({ status: 403, body: { message: 'only an admin may reassign a task' } });
    const stranger = await t.call('POST', `/tasks/${task.id}/reassign`, { userId: users['reviewer.tl'] });
    expect(stranger).toMatchObject({
      status: 422,
      body: { message: "the new assignee must be a district_reviewer of the task's unit" },
    });
    const reassigned = await t.call('POST', `/tasks/${task.id}/reassign`, {
      userId: users['reviewer.b'],
      reason: 'Đồng chí An đi công tác',
    });
    expect(reassigned).toMatchObject({
      status: 200,
      body: { assigneeUserId: users['reviewer.b'], claimedByName: 'Lê Thị Bích' },
    });

    const notices = await as('reviewer.b', () => t.call('GET', '/notifications'));
    expect(notices.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'reassigned', nominationId: nominations.namChinh }),
      ]),
    );
    // Stored as its template: the holder reads it in English when asked.
    const english = await as('reviewer.b', () => t.call('GET', '/notifications?lang=en'));
    expect(english.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'reassigned',
          message: expect.stringMatching(/^.+ assigned ".+" \(District registration\) to you, due \S+\.$/),
        }),
      ]),
    );
    // Addressed to the holder alone, not to the whole unit.
    const colleague = await as('reviewer.a', () => t.call('GET', '/notifications'));
    expect(colleague.body.filter((n: { kind: string }) => n.kind === 'reassigned')).toEqual([]);
  });

  it('lets an acting colleague decide for an absent reviewer, recorded as on their behalf', async () => {
    const task = await taskOf(nominations.namChinh); // held by reviewer.b since the reassignment
    const now = Date.now();
    const named = await as('reviewer.b', () =>
      t.call('POST', '/absences', {
        actingUserId: users['reviewer.a'],
        startsAt: new Date(now - 60_000).toISOString(),
        endsAt: new Date(now + 86_400_000).toISOString(),
      }),
    );
    expect(named).toMatchObject({
      status: 201,
      body: { userName: 'Lê Thị Bích', actingUserName: 'Nguyễn Văn An' },
    });
    const wrongCover = await as('reviewer.b', () =>
      t.call('POST', '/absences', {
        actingUserId: users['reviewer.tl'],
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 1000_000).toISOString(),
      }),
    );
    expect(wrongCover).toMatchObject({
      status: 422,
      body: { message: 'actingUserId must be an active colleague of the same unit and role' },
    });

    const covering = await as('reviewer.a', () => inbox());
    expect(covering.body.find((x: { id: string }) => x.id === task.id)).toMatchObject({
      coveringFor: users['reviewer.b'],
    });
    const decided = await as('reviewer.a', () =>
      t.call('POST', `/tasks/${task.id}/decision`, { decision: 'accept' }),
    );
    expect(decided.status).toBe(200);
    const history = (await t.call('GET', `/nominations/${nominations.namChinh}/history`)).body;
    expect(history.at(-1)).toMatchObject({
      action: 'decided',
      decision: 'accept',
      actor: { userId: users['reviewer.a'], name: 'Nguyễn Văn An' },
      onBehalfOf: { userId: users['reviewer.b'], name: 'Lê Thị Bích' },
    });
  });
});
