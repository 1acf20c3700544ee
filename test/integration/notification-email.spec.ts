import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { createActivities } from '../../activities';
import type { Notice, ProjectionRecord } from '../../src/contracts/projection';
import { DEFAULT_SMTP_FROM, type EmailSenderConfig } from '../../src/config/config';
import { demoCalendar } from '../../src/database/seed';
import { nominationWorkflowId } from '../../src/domain/nomination';
import { setLogLevel } from '../../src/logging/logger';
import { EMAIL_CLAIM_MS, EmailSender } from '../../src/notifications/email-sender';
import { createSmtpMailer } from '../../src/notifications/mailer';
import type { Actor } from '../../src/contracts/nomination.messages';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrg, createUser, type Org } from '../support/fixtures';
import { TestApp } from '../support/http-app';
import { eventually, TestSmtpServer } from '../support/smtp-server';

/** The defaults: 10 s after a first failure, doubling to 10 min. */
const SENDER: EmailSenderConfig = {
  pollIntervalMs: 50,
  batchSize: 10,
  retryMinMs: 10_000,
  retryMaxMs: 600_000,
  claimMs: EMAIL_CLAIM_MS,
};

interface OutboxRow {
  notification_id: string;
  nomination_id: string | null;
  workflow_id: string;
  seq: number;
  to_address: string;
  subject: string | null;
  body: string | null;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
  /** next_attempt_at - now(), in seconds. */
  due_in: number;
}

describe('email outbox (real activity, real sender, real SMTP server, real PostgreSQL)', () => {
  let smtp: TestSmtpServer;
  let db: TestDatabase;
  let org: Org;
  let submitter: Actor;
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

  beforeAll(async () => {
    setLogLevel('error'); // the sender's warnings about the stopped server are expected here
    [smtp, db] = await Promise.all([TestSmtpServer.create(), createTestDatabase()]);
    const ds = db.dataSource;
    org = await createOrg(ds);
    const user = (
      username: string,
      role: Actor['role'],
      unitId: string,
      extra: { email?: string; active?: boolean } = {},
    ) => createUser(ds, { username, displayName: username, role, unitId, ...extra });
    submitter = await user('submitter', 'submitter', org.districtId, { email: 'submitter@ducl.example' });
    // The district's reviewers: two with an address, one without, one who left (inactive).
    await user('binh', 'district_reviewer', org.districtId, { email: 'binh@ducl.example' });
    await user('an', 'district_reviewer', org.districtId, { email: 'an@ducl.example' });
    await user('chua-co-email', 'district_reviewer', org.districtId);
    await user('da-nghi', 'district_reviewer', org.districtId, {
      email: 'da-nghi@ducl.example',
      active: false,
    });
    // Same role elsewhere, and the district's administrators, who have no address at all.
    await user('tinh', 'district_reviewer', org.provinceId, { email: 'tinh@province.example' });
    await user('district-admin', 'admin', org.districtId);
  });

  afterAll(async () => {
    await smtp?.stop();
    await db?.drop();
  });

  const sender = (config: Partial<EmailSenderConfig> = {}) =>
    new EmailSender(db.dataSource, createSmtpMailer(smtp.url, DEFAULT_SMTP_FROM), { ...SENDER, ...config });

  /** A registered nomination (step 1) and its reminder step (2), addressing its reviewers and admins. */
  async function registeredNomination(
    title = `Mô hình "Bếp ăn nghĩa tình" ${randomUUID().slice(0, 8)}`,
  ): Promise<{ reminder: ProjectionRecord; workflowId: string; title: string }> {
    const nominationId = randomUUID();
    const workflowId = nominationWorkflowId(nominationId);
    const now = new Date();
    const registration: ProjectionRecord = {
      workflowId,
      nominationId,
      seq: 1,
      occurredAt: now.toISOString(),
      action: 'registered',
      actor: submitter,
      stageBefore: null,
      stageAfter: 'district_registration',
      outcome: null,
      nomination: {
        nominationId,
        campaignId: org.campaignId,
        unitId: org.districtId,
        provinceUnitId: org.provinceId,
        calendar: demoCalendar(now),
        title,
        description: 'Nấu cơm miễn phí cho bệnh nhân nghèo.',
        field: 'culture_society',
        kind: 'collective',
        nomineeName: 'Hội Liên hiệp Phụ nữ xã Đức Tài',
        submittedBy: submitter,
      },
    };
    await env.run(createActivities(db.dataSource).recordProjection, registration);
    const notify: Notice[] = [
      {
        unitId: org.districtId,
        role: 'district_reviewer',
        kind: 'reminder',
        content: {
          template: 'task_reminder',
          params: {
            title,
            stage: 'district_registration',
            revision: false,
            hoursLeft: 24,
            dueAt: '2026-10-15T00:00:00.000Z',
          },
        },
      },
      // As an activity scheduled by workflow code from before templates carries it: text only.
      { unitId: org.districtId, role: 'admin', kind: 'escalated', message: 'Quá hạn, chưa xử lý.' },
    ];
    const reminder: ProjectionRecord = {
      workflowId,
      nominationId,
      seq: 2,
      occurredAt: new Date(now.getTime() + 1000).toISOString(),
      action: 'reminder',
      actor: null,
      stageBefore: 'district_registration',
      stageAfter: 'district_registration',
      outcome: null,
      notify,
    };
    return { reminder, workflowId, title };
  }

  const outbox = async (workflowId: string): Promise<OutboxRow[]> =>
    db.dataSource.query(
      `SELECT notification_id, nomination_id, workflow_id, seq, to_address, subject, body, attempts, last_error,
              sent_at, extract(epoch FROM next_attempt_at - now())::float AS due_in
         FROM email_outbox WHERE workflow_id = $1 ORDER BY to_address`,
      [workflowId],
    );

  const emailedAt = async (workflowId: string): Promise<(Date | null)[]> =>
    (
      await db.dataSource.query(
        `SELECT emailed_at FROM notifications WHERE workflow_id = $1 ORDER BY seq, idx`,
        [workflowId],
      )
    ).map((row: { emailed_at: Date | null }) => row.emailed_at);

  /** As if the backoff had passed: the emails of this workflow are due now. */
  const makeDue = (workflowId: string) =>
    db.dataSource.query(`UPDATE email_outbox SET next_attempt_at = now() WHERE workflow_id = $1`, [
      workflowId,
    ]);

  it('queues one email per address in the step’s transaction with SMTP down, backs off, and delivers once SMTP is back', async () => {
    const { reminder, workflowId, title } = await registeredNomination();
    const activities = createActivities(db.dataSource, { email: true });
    let notificationId: string;
    await smtp.stop();
    try {
      // The step never talks to the mail server: it records its notifications and their emails, and returns.
      expect(await env.run(activities.recordProjection, reminder)).toEqual({ applied: true });
      [{ id: notificationId }] = await db.dataSource.query(
        `SELECT id FROM notifications WHERE workflow_id = $1 AND seq = 2 AND idx = 0`,
        [workflowId],
      );
      // Queued without a subject or body: the sender renders them from the notification when it sends.
      const queued = {
        notification_id: notificationId,
        nomination_id: reminder.nominationId,
        workflow_id: workflowId,
        seq: 2,
        subject: null,
        body: null,
        attempts: 0,
        last_error: null,
        sent_at: null,
      };
      expect(await outbox(workflowId)).toEqual([
        { ...queued, to_address: 'an@ducl.example', due_in: expect.any(Number) },
        { ...queued, to_address: 'binh@ducl.example', due_in: expect.any(Number) },
      ]);
      // The reminder is stored as its template and parameters; the free text no template renders, as text.
      expect(
        await db.dataSource.query(
          `SELECT idx, template, params, message FROM notifications WHERE workflow_id = $1 AND seq = 2 ORDER BY idx`,
          [workflowId],
        ),
      ).toEqual([
        {
          idx: 0,
          template: 'task_reminder',
          params: {
            title,
            stage: 'district_registration',
            revision: false,
            hoursLeft: 24,
            dueAt: '2026-10-15T00:00:00.000Z',
          },
          message: null,
        },
        { idx: 1, template: null, params: null, message: 'Quá hạn, chưa xử lý.' },
      ]);
      // The administrators' notice had nobody to write to: handled at once, never queued.
      const [reminderEmailed, escalationEmailed] = await emailedAt(workflowId);
      expect(reminderEmailed).toBeNull();
      expect(escalationEmailed).toBeInstanceOf(Date);

      // The same step again (a retry after a lost reply): nothing applied, nothing queued twice.
      expect(await env.run(activities.recordProjection, reminder)).toEqual({ applied: false });
      expect(await outbox(workflowId)).toHaveLength(2);

      // The sender finds the server down: each email keeps its error and waits 10 s.
      expect(await sender().runRound()).toEqual({ claimed: 2, sent: 0, failed: 2 });
      for (const row of await outbox(workflowId)) {
        expect(row).toMatchObject({
          attempts: 1,
          sent_at: null,
          last_error: expect.stringMatching(/ECONNREFUSED/),
        });
        expect(row.due_in).toBeGreaterThan(8);
        expect(row.due_in).toBeLessThanOrEqual(10);
      }
      expect(await sender().runRound()).toEqual({ claimed: 0, sent: 0, failed: 0 });
    } finally {
      await smtp.start();
    }

    await makeDue(workflowId);
    expect(await sender().runRound()).toEqual({ claimed: 2, sent: 2, failed: 0 });
    const sent = smtp.received.filter((r) => r.mail.subject?.includes(title));
    expect(smtp.recipientsOf(title)).toEqual(['an@ducl.example', 'binh@ducl.example']);
    expect(sent).toHaveLength(2);
    for (const { from, to, mail } of sent) {
      expect(from).toBe('no-reply@localhost');
      expect(mail.from?.text).toBe('"Dân vận khéo" <no-reply@localhost>');
      expect(mail.to && 'text' in mail.to ? mail.to.text : undefined).toBe(to[0]); // nobody sees a colleague's address
      expect(mail.subject).toBe(`[Dân vận khéo] Nhắc hạn: ${title}`);
      expect(mail.text?.trim()).toBe(
        `"${title}" (district_registration): còn 24 giờ đến hạn 2026-10-15T00:00:00.000Z.`,
      );
      // The same Message-ID on every attempt, and the notification it tells of, for whoever counts them.
      expect(mail.messageId).toMatch(/^<email-outbox-\d+@localhost>$/);
      expect(mail.headers.get('x-notification-id')).toBe(notificationId);
    }
    for (const row of await outbox(workflowId)) {
      expect(row).toMatchObject({ attempts: 2, sent_at: expect.any(Date) });
    }
    // Every email of the notification went out: the notification is marked emailed.
    expect(await emailedAt(workflowId)).toEqual([expect.any(Date), expect.any(Date)]);
    expect(await sender().runRound()).toEqual({ claimed: 0, sent: 0, failed: 0 });
  });

  it('queues nothing when email is off, and a retry with email on queues what the first did not', async () => {
    const { reminder, workflowId } = await registeredNomination();
    expect(await env.run(createActivities(db.dataSource).recordProjection, reminder)).toEqual({
      applied: true,
    });
    expect(await outbox(workflowId)).toEqual([]);
    expect(await emailedAt(workflowId)).toEqual([null, null]);

    // As when the step was committed before SMTP_URL was set (or by a version that sent after its commit).
    const withEmail = createActivities(db.dataSource, { email: true });
    expect(await env.run(withEmail.recordProjection, reminder)).toEqual({ applied: false });
    expect((await outbox(workflowId)).map((r) => r.to_address)).toEqual([
      'an@ducl.example',
      'binh@ducl.example',
    ]);
    expect(await env.run(withEmail.recordProjection, reminder)).toEqual({ applied: false });
    expect(await outbox(workflowId)).toHaveLength(2);
    await makeDue(workflowId);
    expect(await sender().runRound()).toMatchObject({ sent: 2, failed: 0 });
  });

  it('keeps a refused message with its reply, retries it after the backoff, and sends the others meanwhile', async () => {
    const { reminder, workflowId, title } = await registeredNomination();
    await env.run(createActivities(db.dataSource, { email: true }).recordProjection, reminder);

    smtp.refuseNext = 451;
    expect(await sender({ batchSize: 1 }).runRound()).toEqual({ claimed: 1, sent: 0, failed: 1 });
    expect(await sender().runRound()).toEqual({ claimed: 1, sent: 1, failed: 0 });
    const [refused, accepted] = (await outbox(workflowId)).sort(
      (a, b) => Number(!!a.sent_at) - Number(!!b.sent_at),
    );
    expect(refused).toMatchObject({ attempts: 1, sent_at: null, last_error: expect.stringMatching(/^451 /) });
    expect(accepted).toMatchObject({ attempts: 1, sent_at: expect.any(Date), last_error: null });
    expect(smtp.recipientsOf(title)).toEqual([accepted.to_address]);
    expect((await emailedAt(workflowId))[0]).toBeNull(); // one of its two emails is still waiting

    await makeDue(workflowId);
    expect(await sender().runRound()).toEqual({ claimed: 1, sent: 1, failed: 0 });
    expect(smtp.recipientsOf(title)).toEqual(['an@ducl.example', 'binh@ducl.example']);
    expect((await outbox(workflowId)).map((r) => r.attempts).sort()).toEqual([1, 2]);
    expect((await emailedAt(workflowId))[0]).toBeInstanceOf(Date);
  });

  it('leaves a claimed email to its sender, and gives it to another once the claim lapses (a sender that died)', async () => {
    const { reminder, workflowId, title } = await registeredNomination();
    await env.run(createActivities(db.dataSource, { email: true }).recordProjection, reminder);
    // A sender whose mail server never answers: its round holds its claim, not a transaction.
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    let sending!: () => void;
    const claimed = new Promise<void>((resolve) => (sending = resolve));
    const hanging = new EmailSender(
      db.dataSource,
      {
        send: () => {
          sending(); // it sends only what its one UPDATE has claimed: both emails are claimed now
          return stuck;
        },
      },
      SENDER,
    );
    const firstRound = hanging.runRound();
    await claimed;
    expect((await outbox(workflowId)).map((r) => r.attempts)).toEqual([1, 1]);
    for (const row of await outbox(workflowId)) expect(row.due_in).toBeGreaterThan(100); // claimed for 2 min
    expect(await sender().runRound()).toEqual({ claimed: 0, sent: 0, failed: 0 });

    await makeDue(workflowId); // as if the 2 minutes had passed
    expect(await sender().runRound()).toEqual({ claimed: 2, sent: 2, failed: 0 });
    expect(smtp.recipientsOf(title)).toEqual(['an@ducl.example', 'binh@ducl.example']);

    // The first sender comes back late: its marks change nothing that matters, the emails stay sent.
    release();
    expect(await firstRound).toEqual({ claimed: 2, sent: 2, failed: 0 });
    for (const row of await outbox(workflowId))
      expect(row).toMatchObject({ attempts: 2, sent_at: expect.any(Date) });
  });

  it('several senders running rounds at once never send the same email twice, and together send them all', async () => {
    const steps = await Promise.all(Array.from({ length: 15 }, () => registeredNomination()));
    const activities = createActivities(db.dataSource, { email: true });
    for (const { reminder } of steps) await env.run(activities.recordProjection, reminder);
    const senders = [sender({ batchSize: 4 }), sender({ batchSize: 4 }), sender({ batchSize: 4 })];

    let total = 0;
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all(senders.map((s) => s.runRound()));
      const claimed = results.reduce((sum, r) => sum + r.claimed, 0);
      expect(results.every((r) => r.sent === r.claimed)).toBe(true);
      total += claimed;
      if (claimed === 0) break;
    }
    expect(total).toBe(30);
    for (const { title } of steps) {
      expect(smtp.recipientsOf(title)).toEqual(['an@ducl.example', 'binh@ducl.example']);
    }
    const [{ unsent, maxAttempts }] = await db.dataSource.query(
      `SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent, max(attempts) AS "maxAttempts"
         FROM email_outbox WHERE workflow_id = ANY($1)`,
      [steps.map((s) => s.workflowId)],
    );
    expect({ unsent, maxAttempts }).toEqual({ unsent: 0, maxAttempts: 1 });
  });
});

/**
 * The worker as `npm start` builds it from SMTP_URL, against the shared Temporal dev server, with the mail
 * server down while a reviewer requests a revision: the decision answers at once, the read model moves on,
 * the email waits in the outbox, and arrives once the server is back.
 */
describe('the worker started with SMTP_URL, the mail server down during a decision', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await TestSmtpServer.create();
    t = await TestApp.start({
      SMTP_URL: smtp.url,
      SMTP_FROM: '"Ban Dân vận" <danvan@province.example>',
      EMAIL_POLL_INTERVAL_MS: '50',
      EMAIL_RETRY_MIN_MS: '100',
      EMAIL_RETRY_MAX_MS: '400',
    });
    await t.login();
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  it('answers the revision request promptly and emails the submitters once SMTP is started again', async () => {
    const [province] = (await t.call('GET', '/units')).body;
    const district = province.children.find((u: { name: string }) => u.name === 'Huyện Đức Linh');
    const [campaign] = (await t.call('GET', '/campaigns')).body;
    await createUser(t.db.dataSource, {
      username: 'hoa',
      displayName: 'Trần Thị Hoa',
      role: 'submitter',
      unitId: district.id,
      email: 'hoa@ducl.example',
    });
    const title = 'Mô hình "Bếp ăn nghĩa tình" – Đức Linh';
    const created = await t.call('POST', '/nominations', {
      campaignId: campaign.id,
      unitId: district.id,
      title,
      description: 'Nấu cơm miễn phí cho bệnh nhân nghèo.',
      field: 'culture_society',
      kind: 'collective',
      nomineeName: 'Hội Liên hiệp Phụ nữ xã Đức Tài',
    });
    expect(created.status).toBe(201);
    const [task] = (await t.call('GET', `/tasks?nominationId=${created.body.id}`)).body;

    await smtp.stop();
    const comment = 'Bổ sung số liệu về số bữa ăn đã phục vụ.';
    const startedAt = Date.now();
    const decided = await t.call('POST', `/tasks/${task.id}/decision`, {
      decision: 'request_revision',
      comment,
    });
    const tookMs = Date.now() - startedAt;
    expect(decided.status).toBe(200);
    expect(tookMs).toBeLessThan(5000);
    const history = (await t.call('GET', `/nominations/${created.body.id}/history`)).body;
    expect(JSON.stringify(history)).toContain('request_revision');
    const notices = await t.db.dataSource.query(`SELECT kind FROM notifications WHERE nomination_id = $1`, [
      created.body.id,
    ]);
    expect(notices).toEqual([{ kind: 'decided' }]);

    // The sender keeps trying while the server is down; the email waits with its error.
    const waiting = await eventually(async () => {
      const [row] = await t.db.dataSource.query(
        `SELECT to_address, attempts, last_error, sent_at FROM email_outbox WHERE nomination_id = $1`,
        [created.body.id],
      );
      return row?.attempts >= 2 ? row : undefined;
    }, 'failed attempts');
    expect(waiting).toMatchObject({
      to_address: 'hoa@ducl.example',
      sent_at: null,
      last_error: expect.stringContaining('ECONNREFUSED'), // the server is down, not refusing the email
    });
    expect(smtp.received).toHaveLength(0);

    await smtp.start();
    const [{ from, to, mail }] = await smtp.messages(1);
    expect(from).toBe('danvan@province.example');
    expect(to).toEqual(['hoa@ducl.example']);
    expect(mail.subject).toBe(`[Dân vận khéo] Yêu cầu bổ sung, chỉnh sửa: ${title}`);
    expect(mail.text?.trim()).toBe(`Yêu cầu bổ sung, chỉnh sửa mô hình "${title}": ${comment}`);

    // The submitter reads the same notice in Vietnamese by default, in English when asked.
    const reader = t;
    expect((await reader.login('hoa', 'correct horse battery')).status).toBe(200);
    const vi = (await reader.call('GET', '/notifications')).body;
    expect(vi).toEqual([expect.objectContaining({ kind: 'decided', message: mail.text?.trim() })]);
    const english = `A revision of "${title}" was requested: ${comment}`;
    expect((await reader.call('GET', '/notifications?lang=en')).body[0].message).toBe(english);
    const accepted = await reader.call('GET', '/notifications', undefined, {
      'accept-language': 'en-GB,en;q=0.8',
    });
    expect(accepted.body[0].message).toBe(english);
    const read = await reader.call('POST', `/notifications/${vi[0].id}/read?lang=en`);
    expect(read.body).toMatchObject({ message: english, readAt: expect.any(String) });
    const [row] = await eventually(async () => {
      const rows = await t.db.dataSource.query(
        `SELECT o.sent_at, n.emailed_at FROM email_outbox o JOIN notifications n ON n.id = o.notification_id
          WHERE o.nomination_id = $1 AND n.emailed_at IS NOT NULL`,
        [created.body.id],
      );
      return rows.length ? rows : undefined;
    }, 'the email marked sent');
    expect(row).toEqual({ sent_at: expect.any(Date), emailed_at: expect.any(Date) });
  });
});
