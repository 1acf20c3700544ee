import { randomUUID } from 'node:crypto';
import { DEFAULT_SMTP_FROM } from '../../src/config/config';
import { campaignWorkflowId } from '../../src/domain/campaign';
import { HOUR_MS } from '../../src/domain/calendar';
import { setLogLevel } from '../../src/logging/logger';
import { EMAIL_CLAIM_MS, EmailSender } from '../../src/notifications/email-sender';
import { createSmtpMailer } from '../../src/notifications/mailer';
import { createUser } from '../support/fixtures';
import { eventually, TestSmtpServer } from '../support/smtp-server';
import { DAY_MS, near, WorkflowHarness } from '../support/workflow-harness';

/**
 * Reminders, escalations and the cut-off on the time-skipping server while the mail server is down and a
 * sender keeps failing beside the worker: no step waits for it; the emails wait in the outbox, then all
 * arrive once the server is started.
 */
describe('notification emails while SMTP is down (time-skipping server)', () => {
  const h = new WorkflowHarness({ email: true });
  let smtp: TestSmtpServer;
  let sender: EmailSender;

  beforeAll(async () => {
    setLogLevel('error'); // the sender's warnings about the stopped server are expected here
    await h.setUp();
    await h.db.dataSource.query(`UPDATE users SET email = 'binh@ducl.example' WHERE id = $1`, [
      h.reviewer.userId,
    ]);
    // The district's administrator, to whom escalations and the closing at the cut-off go.
    await createUser(h.db.dataSource, {
      username: 'district-admin',
      displayName: 'Phạm Văn Huyện',
      role: 'admin',
      unitId: h.org.districtId,
      email: 'admin@ducl.example',
    });
    smtp = await TestSmtpServer.create({ running: false });
    sender = new EmailSender(h.db.dataSource, createSmtpMailer(smtp.url, DEFAULT_SMTP_FROM), {
      pollIntervalMs: 50,
      batchSize: 10,
      retryMinMs: 100,
      retryMaxMs: 400,
      claimMs: EMAIL_CLAIM_MS,
    });
    sender.start();
  });

  afterAll(async () => {
    await sender?.stop();
    await smtp?.stop();
    await h.tearDown();
  });

  it('reminds, escalates and closes at the cut-off on time; every email arrives once SMTP is started', async () => {
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.start(calendar);
    const due = Date.parse(calendar.stages.district_registration.dueAt);
    const cutoff = Date.parse(calendar.stages.district_registration.cutoffAt);

    await h.env.sleep(cutoff - t0 + HOUR_MS);
    expect(await handle.result()).toMatchObject({ outcome: 'expired' });
    expect(h.systemSteps(handle)).toEqual([
      { action: 'reminder', at: near(due - 72 * HOUR_MS) },
      { action: 'reminder', at: near(due - 24 * HOUR_MS) },
      { action: 'overdue', at: near(due) },
      ...[1, 2, 3, 4].map((d) => ({ action: 'escalated', at: near(due + d * DAY_MS) })),
      { action: 'closed_at_cutoff', at: near(cutoff) },
    ]);

    const outbox = () =>
      h.db.dataSource.query(
        `SELECT o.to_address, o.subject, o.attempts, o.sent_at, o.last_error, n.kind
           FROM email_outbox o JOIN notifications n ON n.id = o.notification_id
          WHERE o.workflow_id = $1 ORDER BY o.seq, o.to_address`,
        [handle.workflowId],
      );
    const queued: { to_address: string; subject: string; kind: string }[] = await outbox();
    // The reviewers are reminded; at the due date and each day after, reviewers and administrators are
    // told it is overdue; the administrators learn of the closing.
    expect(queued.map((e) => [e.kind, e.to_address])).toEqual([
      ['reminder', 'binh@ducl.example'],
      ['reminder', 'binh@ducl.example'],
      ...[0, 1, 2, 3, 4].flatMap(() => [
        ['escalated', 'admin@ducl.example'],
        ['escalated', 'binh@ducl.example'],
      ]),
      ['closed_at_cutoff', 'admin@ducl.example'],
    ]);

    // The sender has been failing all along: every email has tried, and waits with its error.
    await eventually(async () => {
      const rows: { attempts: number; last_error: string | null }[] = await outbox();
      return rows.every((r) => r.attempts > 0 && r.last_error) ? rows : undefined;
    }, 'an attempt at every email');
    expect(smtp.received).toHaveLength(0);

    await smtp.start();
    await eventually(async () => {
      const rows: { sent_at: Date | null }[] = await outbox();
      return rows.every((r) => r.sent_at) ? rows : undefined;
    }, 'every email sent');
    // At least once each: every queued email reached its address, its subject rendered at send time.
    expect(queued.every((e) => e.subject === null)).toBe(true);
    const [{ title }]: { title: string }[] = await h.db.dataSource.query(
      `SELECT title FROM nominations WHERE id = (SELECT nomination_id FROM email_outbox WHERE workflow_id = $1 LIMIT 1)`,
      [handle.workflowId],
    );
    const SUBJECTS: Record<string, string> = {
      reminder: 'Nhắc hạn',
      escalated: 'Quá hạn',
      closed_at_cutoff: 'Đã đóng do quá hạn chót',
    };
    const received = smtp.received.map((r) => `${r.to.join(',')} ${r.mail.subject}`);
    for (const e of queued)
      expect(received).toContain(`${e.to_address} [Dân vận khéo] ${SUBJECTS[e.kind]}: ${title}`);
    expect(received.length).toBeGreaterThanOrEqual(queued.length);
  });
  it('reminds the units that registered nothing and closes the stage on time; the campaign’s emails follow', async () => {
    await smtp.stop();
    for (const [actor, email] of [
      [h.submitter, 'hoa@ducl.example'],
      [h.admin, 'tinh@province.example'],
    ] as const) {
      await h.db.dataSource.query(`UPDATE users SET email = $2 WHERE id = $1`, [actor.userId, email]);
    }
    const campaignId = randomUUID();
    await h.db.dataSource.query(
      `INSERT INTO campaigns (id, name, year, province_unit_id, calendar, registration_opens_at, workflow_id)
       VALUES ($1, 'Dân vận khéo', $2, $3, '{}', now(), $4)`,
      [campaignId, new Date().getUTCFullYear() + 1, h.org.provinceId, campaignWorkflowId(campaignId)],
    );
    const t0 = await h.env.currentTimeMs();
    const calendar = h.calendar(t0);
    const handle = await h.startCampaign(calendar, campaignId);
    const cutoff = Date.parse(calendar.stages.district_registration.cutoffAt);

    await h.env.sleep(cutoff - t0 + HOUR_MS);
    expect(
      h.campaignSteps
        .filter((c) => c.campaignId === campaignId)
        .map((c) => [c.action, c.stage, c.occurredAt]),
    ).toEqual([
      ['stage_reminder', 'district_registration', near(cutoff - 72 * HOUR_MS)],
      ['stage_reminder', 'district_registration', near(cutoff - 24 * HOUR_MS)],
      ['stage_closed', 'district_registration', near(cutoff)],
    ]);

    const outbox = () =>
      h.db.dataSource.query(
        `SELECT to_address, subject, attempts, sent_at, last_error, nomination_id, campaign_id
           FROM email_outbox WHERE workflow_id = $1 ORDER BY seq, to_address`,
        [handle.workflowId],
      );
    // Two reminders to the unit and the province, then the closing to the province. The outbox keeps no
    // subject: the sender renders it when it sends.
    const emails = [
      ['hoa@ducl.example', 'Đơn vị chưa nộp'],
      ['tinh@province.example', 'Đơn vị chưa nộp'],
      ['hoa@ducl.example', 'Đơn vị chưa nộp'],
      ['tinh@province.example', 'Đơn vị chưa nộp'],
      ['tinh@province.example', 'Kết thúc giai đoạn'],
    ];
    const queued: { to_address: string; subject: string | null }[] = await outbox();
    expect(queued).toEqual(
      emails.map(([to]) =>
        expect.objectContaining({
          to_address: to,
          subject: null,
          nomination_id: null,
          campaign_id: campaignId,
        }),
      ),
    );
    const expected = emails.map(([to, subject]) => `${to} [Dân vận khéo] ${subject}: Dân vận khéo`);
    await eventually(async () => {
      const rows: { attempts: number; last_error: string | null }[] = await outbox();
      return rows.every((r) => r.attempts > 0 && r.last_error) ? rows : undefined;
    }, 'an attempt at every email');

    const before = smtp.received.length;
    await smtp.start();
    await eventually(async () => {
      const rows: { sent_at: Date | null }[] = await outbox();
      return rows.every((r) => r.sent_at) ? rows : undefined;
    }, 'every email sent');
    const received = smtp.received.slice(before).map((r) => `${r.to.join(',')} ${r.mail.subject}`);
    for (const e of expected) expect(received).toContain(e);
    expect(received.length).toBeGreaterThanOrEqual(queued.length);
  });
});
