import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { simpleParser, type ParsedMail } from 'mailparser';
import { randomUUID } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { createActivities, type ProjectionRecord } from '../../activities';
import type { Notice } from '../../activities/nomination.activities';
import { DEFAULT_SMTP_FROM, loadConfig } from '../../src/config/config';
import { demoCalendar } from '../../src/database/seed';
import { nominationWorkflowId } from '../../src/domain/nomination';
import { createSmtpMailer, type Mailer } from '../../src/notifications/mailer';
import { setLogLevel } from '../../src/logging/json-log';
import { startApp, type RunningApp } from '../../src/runtime/app-runner';
import { freePort, LOOPBACK } from '../../src/runtime/ports';
import type { Actor } from '../../workflows/messages';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrg, createUser, type Org } from '../support/fixtures';

interface Received {
  from: string;
  to: string[];
  mail: ParsedMail;
}

/** A real SMTP server on the loopback: plain text, no auth, keeping what it accepts. */
class TestSmtpServer {
  readonly received: Received[] = [];
  /** The next message is refused with this SMTP reply code, as a full mailbox or a server outage would. */
  refuseNext?: number;
  private readonly server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onData: (stream, session, callback) => {
      simpleParser(stream).then((mail) => {
        const refuse = this.refuseNext;
        if (refuse) {
          this.refuseNext = undefined;
          return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: refuse }));
        }
        this.received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((a) => a.address).sort(),
          mail,
        });
        callback();
      }, callback);
    },
  });
  private constructor(readonly url: string) {}

  static async start(): Promise<TestSmtpServer> {
    const port = await freePort();
    const smtp = new TestSmtpServer(`smtp://${LOOPBACK}:${port}`);
    await new Promise<void>((resolve, reject) => {
      smtp.server.once('error', reject);
      smtp.server.listen(port, LOOPBACK, () => resolve());
    });
    return smtp;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const TITLE = 'Mô hình "Bếp ăn nghĩa tình" – Đức Linh';

describe('notification email (real activity, real SMTP server, real PostgreSQL)', () => {
  let smtp: TestSmtpServer;
  let db: TestDatabase;
  let org: Org;
  let submitter: Actor;
  let mailer: Mailer;
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

  beforeAll(async () => {
    [smtp, db] = await Promise.all([TestSmtpServer.start(), createTestDatabase()]);
    mailer = createSmtpMailer(smtp.url, DEFAULT_SMTP_FROM);
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
    await smtp?.close();
    await db?.drop();
  });

  /** A registered nomination (step 1) and the reminder step (2) that addresses its reviewers and admins. */
  async function registeredNomination(): Promise<{ reminder: ProjectionRecord; workflowId: string }> {
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
        title: TITLE,
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
        message: `"${TITLE}" (district_registration): còn 24 giờ đến hạn 2026-10-15T00:00:00.000Z.`,
      },
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
    return { reminder, workflowId };
  }

  const emailedAt = async (workflowId: string): Promise<(Date | null)[]> =>
    (
      await db.dataSource.query(
        `SELECT emailed_at FROM notifications WHERE workflow_id = $1 ORDER BY seq, idx`,
        [workflowId],
      )
    ).map((row: { emailed_at: Date | null }) => row.emailed_at);

  it('emails each notification once, to the active users of its unit and role that have an address', async () => {
    const { reminder, workflowId } = await registeredNomination();
    const before = smtp.received.length;
    const activities = createActivities(db.dataSource, { mailer });

    expect(await env.run(activities.recordProjection, reminder)).toEqual({ applied: true });

    const sent = smtp.received.slice(before);
    expect(sent).toHaveLength(1);
    const [{ from, to, mail }] = sent;
    expect(to).toEqual(['an@ducl.example', 'binh@ducl.example']);
    expect(mail.to).toBeUndefined(); // Bcc: no recipient sees the others' addresses
    expect(from).toBe('no-reply@localhost');
    expect(mail.from?.text).toBe('"Dân vận khéo" <no-reply@localhost>');
    expect(mail.subject).toBe(`[Dân vận khéo] Nhắc hạn: ${TITLE}`);
    expect(mail.text?.trim()).toBe(reminder.notify![0].message);
    // The administrators' notice had nobody to write to: handled, not retried for ever.
    const [first, second] = await emailedAt(workflowId);
    expect(first).toBeInstanceOf(Date);
    expect(second).toBeInstanceOf(Date);

    // The same step again (a retry after a lost reply): nothing applied, nothing sent.
    expect(await env.run(activities.recordProjection, reminder)).toEqual({ applied: false });
    expect(smtp.received.length).toBe(before + 1);
    expect(await emailedAt(workflowId)).toEqual([first, second]);
  });

  it('sends nothing without a mailer, and a later attempt with one delivers what the first did not', async () => {
    const { reminder, workflowId } = await registeredNomination();
    const before = smtp.received.length;

    expect(await env.run(createActivities(db.dataSource).recordProjection, reminder)).toEqual({
      applied: true,
    });
    expect(smtp.received.length).toBe(before);
    expect(await emailedAt(workflowId)).toEqual([null, null]);

    // As when a worker committed the step and died before sending: the retry applies nothing but delivers.
    const withMailer = createActivities(db.dataSource, { mailer });
    expect(await env.run(withMailer.recordProjection, reminder)).toEqual({ applied: false });
    expect(smtp.received.length).toBe(before + 1);
    expect(smtp.received[before].to).toEqual(['an@ducl.example', 'binh@ducl.example']);
    expect(await emailedAt(workflowId)).toEqual([expect.any(Date), expect.any(Date)]);
  });

  it('fails the activity when the server refuses the message, keeping the step, so a retry sends it', async () => {
    const { reminder, workflowId } = await registeredNomination();
    const before = smtp.received.length;
    const activities = createActivities(db.dataSource, { mailer });

    smtp.refuseNext = 451;
    await expect(env.run(activities.recordProjection, reminder)).rejects.toThrow(/451/);
    expect(smtp.received.length).toBe(before);
    const [{ count }] = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_events WHERE workflow_id = $1 AND seq = 2`,
      [workflowId],
    );
    expect(count).toBe(1);
    expect(await emailedAt(workflowId)).toEqual([null, null]);

    expect(await env.run(activities.recordProjection, reminder)).toEqual({ applied: false });
    expect(smtp.received.length).toBe(before + 1);
    expect(await emailedAt(workflowId)).toEqual([expect.any(Date), expect.any(Date)]);
  });
});

/**
 * The worker as `npm start` builds it from SMTP_URL, against the shared Temporal dev server: a revision
 * request, the one notice a person's decision raises at once, reaches the submitters' mailboxes.
 */
describe('the worker started with SMTP_URL', () => {
  let smtp: TestSmtpServer;
  let db: TestDatabase;
  let app: RunningApp;
  let token: string;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(app.url + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    // Parsed JSON, loosely typed on purpose: the test asserts on the shape.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    setLogLevel('warn');
    [smtp, db] = await Promise.all([TestSmtpServer.start(), createTestDatabase()]);
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: `email-${randomUUID()}`,
      ADMIN_USERNAME: 'email-admin',
      ADMIN_PASSWORD: 'email-admin-password',
      LOG_LEVEL: 'warn',
      SMTP_URL: smtp.url,
      SMTP_FROM: '"Ban Dân vận" <danvan@province.example>',
    });
    app = await startApp(config, { api: true, worker: true });
    token = (await call('POST', '/auth/login', { username: 'email-admin', password: 'email-admin-password' }))
      .body.accessToken;
  });

  afterAll(async () => {
    await app?.close();
    await smtp?.close();
    await db?.drop();
  });

  it('emails a revision request to the submitting unit’s submitters', async () => {
    const [province] = (await call('GET', '/units')).body;
    const district = province.children.find((u: { name: string }) => u.name === 'Huyện Đức Linh');
    const [campaign] = (await call('GET', '/campaigns')).body;
    await createUser(db.dataSource, {
      username: 'hoa',
      displayName: 'Trần Thị Hoa',
      role: 'submitter',
      unitId: district.id,
      email: 'hoa@ducl.example',
    });
    const created = await call('POST', '/nominations', {
      campaignId: campaign.id,
      unitId: district.id,
      title: TITLE,
      description: 'Nấu cơm miễn phí cho bệnh nhân nghèo.',
      field: 'culture_society',
      kind: 'collective',
      nomineeName: 'Hội Liên hiệp Phụ nữ xã Đức Tài',
    });
    expect(created.status).toBe(201);
    const [task] = (await call('GET', `/tasks?nominationId=${created.body.id}`)).body;
    const comment = 'Bổ sung số liệu về số bữa ăn đã phục vụ.';
    const decided = await call('POST', `/tasks/${task.id}/decision`, {
      decision: 'request_revision',
      comment,
    });
    expect(decided.status).toBe(200);

    // The Update returns once the step is recorded, and the recording activity sends before it completes.
    expect(smtp.received).toHaveLength(1);
    const [{ from, to, mail }] = smtp.received;
    expect(from).toBe('danvan@province.example');
    expect(to).toEqual(['hoa@ducl.example']);
    expect(mail.subject).toBe(`[Dân vận khéo] Yêu cầu bổ sung, chỉnh sửa: ${TITLE}`);
    expect(mail.text?.trim()).toBe(`Yêu cầu bổ sung, chỉnh sửa mô hình "${TITLE}": ${comment}`);
    const [{ emailed_at }] = await db.dataSource.query(
      `SELECT emailed_at FROM notifications WHERE nomination_id = $1`,
      [created.body.id],
    );
    expect(emailed_at).toBeInstanceOf(Date);
  });
});
