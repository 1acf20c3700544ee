import { DataSource } from 'typeorm';
import { STAGES } from '../../src/domain/nomination';
import type { Calendar } from '../../src/domain/calendar';
import { TestApp, type HttpResult } from '../support/http-app';

const HOUR = 3_600_000;
const MODELS = 50;
const QUOTA = 5;

function calendarFrom(from: number): Calendar {
  const stages = {} as Calendar['stages'];
  STAGES.forEach((stage, i) => {
    const due = from + (i + 1) * 24 * HOUR;
    stages[stage] = { dueAt: new Date(due).toISOString(), cutoffAt: new Date(due + 12 * HOUR).toISOString() };
  });
  return { stages, reminderOffsetsHours: [72, 24], revisionWindowHours: 168 };
}

/** Runs `fn` over `items`, `width` at a time. */
async function pooled<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * No transaction or lock across a Temporal call (issue 11, item 6): a unit's quota is held by short
 * reservations, so 50 reviewers proposing at once in one unit never exceed it, and the API (pool of 10
 * connections) keeps answering other requests meanwhile.
 */
describe('proposal quotas under concurrency', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it(`accepts exactly the quota of ${MODELS} concurrent proposals in one unit, refuses the rest with 409, and keeps serving`, async () => {
    t = await TestApp.start();
    await t.login();
    const [province] = (await t.call('GET', '/units')).body;
    const district = province.children.find((u: { name: string }) => u.name === 'Huyện Đức Linh');
    const campaign = await t.call('POST', '/campaigns', {
      name: 'Dân vận khéo 2095',
      year: 2095,
      provinceUnitId: province.id,
      calendar: calendarFrom(Date.now()),
    });
    expect(campaign.status).toBe(201);
    const taskOf = async (nominationId: string) =>
      (await t.call('GET', `/tasks?nominationId=${nominationId}`)).body[0].id as string;
    const decide = async (nominationId: string, decision: string) =>
      t.call('POST', `/tasks/${await taskOf(nominationId)}/decision`, { decision });

    const ids = await pooled(
      Array.from({ length: MODELS }, (_, i) => i),
      4,
      async (i) => {
        const res = await t.call('POST', '/nominations', {
          campaignId: campaign.body.id,
          unitId: district.id,
          title: `Mô hình số ${i + 1}`,
          description: 'Một mô hình dân vận khéo của huyện.',
          field: 'economic',
          kind: 'collective',
          nomineeName: `Tập thể ${i + 1}`,
        });
        expect(res.status).toBe(201);
        expect((await decide(res.body.id, 'accept')).status).toBe(200);
        expect((await decide(res.body.id, 'recognize')).status).toBe(200);
        return res.body.id as string;
      },
    );
    expect(
      (await t.call('PATCH', `/campaigns/${campaign.body.id}/quotas`, { quotas: { perUnit: QUOTA } })).status,
    ).toBe(200);
    const tasks = await Promise.all(ids.map(taskOf));

    // Other requests keep being answered while the proposals are in flight.
    let burst = true;
    const others: { path: string; status: number; ms: number }[] = [];
    const watch = (async () => {
      while (burst) {
        for (const path of ['/health', '/tasks?limit=5']) {
          const t0 = Date.now();
          const res = await t.call('GET', path);
          others.push({ path, status: res.status, ms: Date.now() - t0 });
        }
      }
    })();
    // The app's pool (pg-pool under TypeORM): connections in use and requests queued for one.
    const pool = (t.app.app.get(DataSource).driver as unknown as { master: PoolStats }).master;
    const peak = { inUse: 0, waiting: 0 };
    const sampler = setInterval(() => {
      peak.inUse = Math.max(peak.inUse, pool.totalCount - pool.idleCount);
      peak.waiting = Math.max(peak.waiting, pool.waitingCount);
    }, 2);
    const t0 = Date.now();
    const answers: (HttpResult & { ms: number })[] = await Promise.all(
      tasks.map(async (taskId) => {
        const s = Date.now();
        const res = await t.call('POST', `/tasks/${taskId}/decision`, { decision: 'propose' });
        return { ...res, ms: Date.now() - s };
      }),
    );
    const wall = Date.now() - t0;
    burst = false;
    await watch;
    clearInterval(sampler);

    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(QUOTA);
    expect(statuses.filter((s) => s === 409)).toHaveLength(MODELS - QUOTA);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body.message).toBe(
        `quota reached: Huyện Đức Linh has proposed ${QUOTA} of its quota of ${QUOTA} models`,
      );
    }
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((o) => o.status === 200)).toBe(true);

    const [{ proposed }] = await t.db.dataSource.query(
      `SELECT count(*)::int AS proposed FROM nominations WHERE campaign_id = $1 AND proposed_at IS NOT NULL`,
      [campaign.body.id],
    );
    expect(proposed).toBe(QUOTA);
    const [{ held }] = await t.db.dataSource.query(`SELECT count(*)::int AS held FROM proposal_reservations`);
    expect(held).toBe(0);
    // Sent again, a refused proposal is refused again: it left no place behind and took none.
    expect(
      (
        await t.call('POST', `/tasks/${tasks[answers.findIndex((a) => a.status === 409)]}/decision`, {
          decision: 'propose',
        })
      ).status,
    ).toBe(409);

    const ms = answers.map((a) => a.ms);
    const otherMs = others.map((o) => o.ms);
    console.log(
      JSON.stringify({
        proposals: MODELS,
        quota: QUOTA,
        wallMs: wall,
        proposalMs: { p50: percentile(ms, 50), p95: percentile(ms, 95), max: Math.max(...ms) },
        pool: { size: 10, peakInUse: peak.inUse, peakWaiting: peak.waiting },
        otherRequests: others.length,
        otherMs: { p50: percentile(otherMs, 50), p95: percentile(otherMs, 95), max: Math.max(...otherMs) },
      }),
    );
  });
});
