import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/runtime/embedded-postgres';
import { startTemporalDevServer, type RunningDevServer } from '../../src/runtime/temporal-dev-server';
import { TestApp, type HttpResult } from '../support/http-app';

/** Short, so that each test waits for a deadline in seconds; the default is 10 s. */
const TIMEOUT_MS = 1500;
/** What the answer may take beyond the deadline: the grace of TemporalCalls plus HTTP on a busy machine. */
const SLACK_MS = 1500;
const quiet = () => undefined;

async function timed(call: () => Promise<HttpResult>): Promise<HttpResult & { ms: number }> {
  const t0 = Date.now();
  const res = await call();
  return { ...res, ms: Date.now() - t0 };
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deadlines-'));
  // As root, PostgreSQL runs as the postgres user and must be able to enter it.
  fs.chmodSync(dir, 0o755);
  return dir;
}

function registration(campaignId: string, unitId: string) {
  return {
    campaignId,
    unitId,
    title: 'Mô hình "Tổ tự quản đường làng"',
    description: 'Các hộ dân tự quét dọn, thắp sáng đường làng mỗi tối.',
    field: 'culture_society',
    kind: 'collective',
    nomineeName: 'Tổ dân phố 3',
  };
}

/**
 * No request hangs (issue 11, item 3): with Temporal or PostgreSQL down the API answers 503 with
 * `Retry-After` within the deadline, and an Update that outlives its deadline is answered "send the same
 * request again", which is then recorded exactly once.
 */
describe('deadlines: no request hangs', () => {
  it('answers 503 with Retry-After within the deadline when Temporal is unreachable', async () => {
    const dir = tempDir();
    let temporal: RunningDevServer | undefined;
    let t: TestApp | undefined;
    try {
      temporal = await startTemporalDevServer({
        dataDir: path.join(dir, 'temporal'),
        namespace: 'default',
        port: 0,
        uiPort: 0,
        log: quiet,
      });
      t = await TestApp.start(
        { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) },
        { roles: { api: true, worker: false } },
      );
      await t.login();
      const { campaignId, districtId } = await t.demo();
      await temporal.stop();

      const res = await timed(() => t!.call('POST', '/nominations', registration(campaignId, districtId)));
      expect(res).toMatchObject({
        status: 503,
        body: { statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/workflow/) },
      });
      expect(res.body.message).toMatch(/send the same request again/);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);

      const health = await t.call('GET', '/health');
      expect(health).toMatchObject({
        status: 503,
        body: { postgres: { ok: true }, temporal: { ok: false } },
      });
      expect(health.headers.get('retry-after')).toBe('5'); // the health check's advice: try again in 5 s
    } finally {
      await t?.close();
      await temporal?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 503 with Retry-After from /health and from a write when PostgreSQL is stopped', async () => {
    const dir = tempDir();
    let pg: RunningPostgres | undefined;
    let t: TestApp | undefined;
    try {
      pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), database: 'deadlines', log: quiet });
      t = await TestApp.start(
        { DATABASE_URL: pg.url, DATABASE_CONNECT_TIMEOUT_MS: String(TIMEOUT_MS) },
        { roles: { api: true, worker: false } },
      );
      await t.login();
      const { campaignId, districtId } = await t.demo();
      expect((await t.call('GET', '/health')).status).toBe(200);
      await pg.stop();

      const health = await timed(() => t!.call('GET', '/health'));
      expect(health).toMatchObject({
        status: 503,
        body: { postgres: { ok: false }, temporal: { ok: true } },
      });
      expect(health.headers.get('retry-after')).toBe('5'); // the health check's advice: try again in 5 s
      expect(health.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);

      const write = await timed(() => t!.call('POST', '/nominations', registration(campaignId, districtId)));
      expect(write).toMatchObject({
        status: 503,
        body: {
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'the database is unavailable; send the request again later',
        },
      });
      expect(Number(write.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(write.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    } finally {
      await t?.close();
      await pg?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers an Update whose worker is down "send the same request again", then records it once', async () => {
    const taskQueue = `e2e-deadlines-${randomUUID()}`;
    const env = { TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) };
    const api = await TestApp.start(env, { roles: { api: true, worker: false } });
    let worker: TestApp | undefined = await TestApp.start(env, {
      roles: { api: false, worker: true },
      db: api.db,
    });
    try {
      await api.login();
      const { campaignId, districtId } = await api.demo();
      const created = await api.call('POST', '/nominations', registration(campaignId, districtId));
      expect(created.status).toBe(201);
      const [task] = (await api.call('GET', `/tasks?nominationId=${created.body.id}`)).body;
      await worker.close();
      worker = undefined;

      const decide = () =>
        timed(() => api.call('POST', `/tasks/${task.id}/decision`, { decision: 'accept', comment: 'Đạt' }));
      const late = await decide();
      expect(late).toMatchObject({
        status: 503,
        body: {
          message: 'the workflow did not answer in time: not recorded yet; send the same request again',
        },
      });
      expect(Number(late.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(late.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);

      worker = await TestApp.start(env, { roles: { api: false, worker: true }, db: api.db });
      // A client resends as told; a fresh worker may first have to take over the workflow (sticky queue).
      const answers: number[] = [];
      let res = await decide();
      for (answers.push(res.status); res.status === 503 && answers.length < 20; answers.push(res.status)) {
        expect(res.body.message).toMatch(/send the same request again$/);
        res = await decide();
      }
      expect(res).toMatchObject({ status: 200, body: { decision: 'accept', stage: 'district_review' } });
      const history = (await api.call('GET', `/nominations/${created.body.id}/history`)).body;
      expect(history.filter((e: { action: string }) => e.action === 'decided')).toHaveLength(1);
      // Sent again after it was recorded: the first answer, not a second decision.
      expect(await decide()).toMatchObject({ status: 200, body: { decision: 'accept' } });
      const again = (await api.call('GET', `/nominations/${created.body.id}/history`)).body;
      expect(again.filter((e: { action: string }) => e.action === 'decided')).toHaveLength(1);
    } finally {
      await worker?.close();
      await api.close();
    }
  });
});
