import { TestApp } from '../support/http-app';

/**
 * Issue 11 item 1: every input refused at the edge with a 4xx naming the field, before it reaches a
 * workflow or PostgreSQL; each example below used to wedge a nomination or answer 500.
 */
describe('validation at the edge (docs/input.md)', () => {
  let t: TestApp;
  let demo: Awaited<ReturnType<TestApp['demo']>>;

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    demo = await t.demo();
  });
  afterAll(() => t?.close());

  const model = (title: string) => ({
    campaignId: demo.campaignId,
    unitId: demo.districtId,
    title,
    description: 'Vận động người dân giữ gìn vệ sinh tuyến đường ven biển.',
    field: 'culture_society',
    kind: 'collective',
    nomineeName: 'Hội Phụ nữ xã Nam Chính',
  });

  async function register(title: string): Promise<string> {
    const res = await t.call('POST', '/nominations', model(title));
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function openTask(id: string) {
    const [task] = (await t.call('GET', `/tasks?nominationId=${id}`)).body;
    return task;
  }

  const raw = (path: string, init: RequestInit) =>
    fetch(t.app.url + path, {
      ...init,
      headers: { authorization: `Bearer ${t.token}`, ...(init.headers as Record<string, string>) },
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));

  it('refuses a NUL in a title with 422 naming the field, and registers nothing', async () => {
    const res = await t.call('POST', '/nominations', model('Mô hình\u0000 "Đường hoa"'));
    expect(res).toMatchObject({
      status: 422,
      body: {
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'title must not contain control characters (found U+0000 at position 7)',
      },
    });
    expect((await t.call('GET', '/nominations?q=duong hoa')).body).toEqual([]);
  });

  it('stores text trimmed, NFC-normalized and with LF line ends', async () => {
    const res = await t.call('POST', '/nominations', {
      ...model(`  ${'Mô hình "Bếp ăn nghĩa tình"'.normalize('NFD')}\t`),
      description: 'Dòng một\r\nDòng hai',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: 'Mô hình "Bếp ăn nghĩa tình"',
      description: 'Dòng một\nDòng hai',
    });
  });

  it('refuses a NUL in a decision comment; the task still takes a decision afterwards', async () => {
    const id = await register('Mô hình "Nhà nhân ái"');
    const task = await openTask(id);
    const bad = await t.call('POST', `/tasks/${task.id}/decision`, {
      decision: 'request_revision',
      comment: 'Bổ sung\u0000',
    });
    expect(bad).toMatchObject({
      status: 422,
      body: { message: expect.stringMatching(/^comment must not contain/) },
    });
    const good = await t.call('POST', `/tasks/${task.id}/decision`, { decision: 'accept', comment: 'Đạt' });
    expect(good).toMatchObject({ status: 200, body: { stage: 'district_review' } });
  });

  it('refuses a NUL in a withdrawal or cancellation reason; the nomination still answers', async () => {
    const id = await register('Mô hình "Đèn đường tự quản"');
    for (const action of ['withdraw', 'cancel']) {
      const bad = await t.call('POST', `/nominations/${id}/${action}`, { reason: 'Rút\u0000' });
      expect(bad).toMatchObject({
        status: 422,
        body: { message: expect.stringMatching(/^reason must not contain/) },
      });
    }
    const withdrawn = await t.call('POST', `/nominations/${id}/withdraw`, { reason: 'Rút để hoàn thiện' });
    expect(withdrawn.status).toBe(200);
    expect((await t.call('GET', `/nominations/${id}`)).body).toMatchObject({
      stage: 'closed',
      outcome: 'withdrawn',
    });
  });

  it('refuses a deadline extension with a +20:00 offset or a 30 February, with 400 naming the field', async () => {
    const id = await register('Mô hình "Chợ phiên"');
    const offset = await t.call('POST', `/nominations/${id}/deadline`, {
      dueAt: '2026-12-10T17:00:00+20:00',
      cutoffAt: '2026-12-15T17:00:00+07:00',
      reason: 'Bão',
    });
    expect(offset).toMatchObject({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'dueAt must have an offset within ±14:00' },
    });
    const feb30 = await t.call('POST', `/nominations/${id}/deadline`, {
      dueAt: '2026-12-10T17:00:00+07:00',
      cutoffAt: '2027-02-30T17:00:00+07:00',
      reason: 'Bão',
    });
    expect(feb30).toMatchObject({
      status: 400,
      body: { message: 'cutoffAt is not a real date: 2027-02 has no day 30' },
    });
    // Still answering: the extension in proper form goes through.
    const ok = await t.call('POST', `/nominations/${id}/deadline`, {
      dueAt: new Date(Date.now() + 40 * 86_400_000).toISOString(),
      cutoffAt: new Date(Date.now() + 45 * 86_400_000).toISOString(),
      reason: 'Bão',
    });
    expect(ok.status).toBeLessThan(300);
  });

  it('refuses audit times that are not RFC 3339 with an offset, or not real dates', async () => {
    expect(await t.call('GET', '/audit?from=2026-W05-1')).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^from must be an RFC 3339 date-time/) },
    });
    expect(await t.call('GET', '/audit?to=2026-02-30T00:00:00Z')).toMatchObject({
      status: 400,
      body: { message: 'to is not a real date: 2026-02 has no day 30' },
    });
    expect((await t.call('GET', '/audit?from=2026-01-01T00:00:00%2B07:00')).status).toBe(200);
  });

  it('refuses absence times the same way', async () => {
    const res = await t.call('POST', '/absences', {
      actingUserId: '00000000-0000-4000-8000-000000000000',
      startsAt: '2026-12-01T00:00:00+20:00',
      endsAt: '2026-12-32T00:00:00Z',
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('startsAt must have an offset within ±14:00');
    expect(res.body.message).toContain('endsAt is not a real date');
  });

  it('answers a crafted cursor with 400', async () => {
    const crafted = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const cursor of [
      crafted(['2026-10-15T00:00:00.000Z', '------------------------------------']),
      crafted(['1', '00000000-0000-4000-8000-000000000000']),
      crafted(['2026-02-30T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']),
      'not-a-cursor',
    ]) {
      expect(await t.call('GET', `/tasks?cursor=${cursor}`)).toMatchObject({
        status: 400,
        body: { message: 'cursor: not a cursor this API returned' },
      });
    }
    expect((await t.call('GET', `/audit?cursor=${crafted(['audit', '99999999999999999999'])}`)).status).toBe(
      400,
    );
  });

  it('refuses a NUL in every search q, unit name and user name with 422', async () => {
    for (const path of [
      '/nominations?q=a%00',
      '/tasks?q=a%00',
      '/units?q=a%00',
      '/users?q=a%00',
      '/audit?actor=a%00',
    ]) {
      const res = await t.call('GET', path);
      expect([path, res.status, res.body.message]).toEqual([
        path,
        422,
        expect.stringMatching(/^(q|actor) must not/),
      ]);
    }
    const unit = await t.call('POST', '/units', {
      name: 'Xã\u0000 Mới',
      level: 'grassroots',
      parentId: demo.districtId,
    });
    expect(unit).toMatchObject({ status: 422, body: { message: expect.stringMatching(/^name must not/) } });
    const user = await t.call('POST', '/users', {
      username: 'nul.user',
      password: 'long-enough-password',
      displayName: 'Người\u0001 dùng',
      role: 'submitter',
      unitId: demo.districtId,
    });
    expect(user).toMatchObject({
      status: 422,
      body: { message: expect.stringMatching(/^displayName must not/) },
    });
  });

  it('refuses a NUL in an imported CSV row with 422 naming its row and column', async () => {
    const csv =
      'title,description,field,kind,nomineeName,unit\nMô hình A\u0000,Mô tả,economic,collective,Hội A,Huyện Đức Linh\n';
    const res = await raw(`/campaigns/${demo.campaignId}/nominations/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual({
      row: 2,
      column: 'title',
      reason: 'must not contain control characters (found U+0000 at position 9)',
    });
  });

  it('refuses a calendar with unknown keys or unbounded amplifiers with 400 naming the field', async () => {
    const { body: campaign } = await t.call('GET', `/campaigns/${demo.campaignId}`);
    const unknown = await t.call('PATCH', `/campaigns/${demo.campaignId}/calendar`, {
      ...campaign.calendar,
      remindrs: [1],
    });
    expect(unknown).toMatchObject({
      status: 400,
      body: { message: 'remindrs: property remindrs should not exist' },
    });
    const stageTypo = await t.call('PATCH', `/campaigns/${demo.campaignId}/calendar`, {
      ...campaign.calendar,
      stages: { ...campaign.calendar.stages, recogniton: campaign.calendar.stages.recognition },
    });
    expect(stageTypo).toMatchObject({
      status: 400,
      body: { message: 'stages.recogniton: property recogniton should not exist' },
    });
    for (const [change, field] of [
      [{ escalationCadenceHours: 0.01 }, 'escalationCadenceHours'],
      [{ reminderOffsetsHours: Array.from({ length: 11 }, (_, i) => i + 1) }, 'reminderOffsetsHours'],
      [{ maxRevisions: 1000 }, 'maxRevisions'],
      [{ revisionWindowHours: 1e12 }, 'revisionWindowHours'],
    ] as const) {
      const res = await t.call('PATCH', `/campaigns/${demo.campaignId}/calendar`, {
        ...campaign.calendar,
        ...change,
      });
      expect([field, res.status, res.body.message]).toEqual([field, 400, expect.stringContaining(field)]);
    }
  });

  it('answers bodies it cannot read with 413, 415 or 400, never 500', async () => {
    const json = { 'content-type': 'application/json' };
    const big = await raw('/nominations', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ ...model('x'), description: 'x'.repeat(1.1 * 1024 * 1024) }),
    });
    expect(big).toEqual({
      status: 413,
      body: { statusCode: 413, error: 'Payload Too Large', message: 'body is larger than 1 MB' },
    });
    const charset = await raw('/nominations', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=klingon' },
      body: JSON.stringify(model('x')),
    });
    expect(charset).toMatchObject({
      status: 415,
      body: { error: 'Unsupported Media Type', message: expect.stringContaining('charset') },
    });
    const encoding = await raw('/nominations', {
      method: 'POST',
      headers: { ...json, 'content-encoding': 'x-klingon' },
      body: JSON.stringify(model('x')),
    });
    expect(encoding).toMatchObject({
      status: 415,
      body: { message: expect.stringContaining('Content-Encoding') },
    });
    const corruptGzip = await raw('/nominations', {
      method: 'POST',
      headers: { ...json, 'content-encoding': 'gzip' },
      body: 'not gzip at all',
    });
    expect(corruptGzip).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^body could not be read/) },
    });
    const malformed = await raw('/nominations', { method: 'POST', headers: json, body: '{"title": ' });
    expect(malformed).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^body is not valid JSON/) },
    });
    const deep = await raw('/nominations', {
      method: 'POST',
      headers: json,
      body: '['.repeat(5000) + ']'.repeat(5000),
    });
    expect(deep.status).toBe(400);
    // A path that is not valid percent-encoding is the router's 400, not a 500.
    const badPath = await fetch(`${t.app.url}/nominations/%E0%A4%A`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(badPath.status).toBe(400);
  });
});
