import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config';
import { setLogLevel } from '../../src/logging/logger';
import type { AppRoles } from '../../src/app.module';
import { startApp, type RunningApp } from '../../src/runtime/app-runner';
import { nominationWorkflowId } from '../../src/domain/nomination';
import { createTestDatabase, type TestDatabase } from './database';
import { stepsRecorded } from './workflow-history';

export interface HttpResult {
  status: number;
  headers: Headers;
  // Parsed JSON, loosely typed on purpose: tests assert on the shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export const E2E_ADMIN = { username: 'e2e-admin', password: 'e2e-admin-password' };

/**
 * The application as `npm start` runs it (API and worker in one process, migrations, demo seed), on a
 * fresh database and its own task queue, against the shared Temporal dev server of global setup.
 */
export class TestApp {
  token?: string;
  private constructor(
    readonly app: RunningApp,
    readonly db: TestDatabase,
    private readonly ownsDb: boolean,
  ) {}

  /**
   * `env` adds to or overrides the variables below (e.g. `{ LOGIN_MAX_FAILURES: '3' }`). `roles` runs only
   * the API or only the worker; `db` shares another app's database (which that app drops).
   */
  static async start(
    env: Record<string, string> = {},
    opts: { roles?: AppRoles; db?: TestDatabase } = {},
  ): Promise<TestApp> {
    setLogLevel('warn');
    const db = opts.db ?? (await createTestDatabase());
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: `e2e-${randomUUID()}`,
      ADMIN_USERNAME: E2E_ADMIN.username,
      ADMIN_PASSWORD: E2E_ADMIN.password,
      LOG_LEVEL: 'warn',
      // Every test signs in from 127.0.0.1, many times; the address limit has its own test (auth.e2e).
      LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10000',
      // The machine running tests is shared and may be slow; deadlines have their own tests (deadlines.e2e).
      TEMPORAL_REQUEST_TIMEOUT_MS: '30000',
      ...env,
    });
    return new TestApp(await startApp(config, opts.roles ?? { api: true, worker: true }), db, !opts.db);
  }

  async close(): Promise<void> {
    await this.app.close();
    if (this.ownsDb) await this.db.drop();
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpResult> {
    const res = await fetch(this.app.url + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const json = text && res.headers.get('content-type')?.includes('json');
    return { status: res.status, headers: res.headers, body: json ? JSON.parse(text) : text };
  }

  /** Signs in and uses the token for the calls that follow. */
  async login(username = E2E_ADMIN.username, password = E2E_ADMIN.password): Promise<HttpResult> {
    const res = await this.call('POST', '/auth/login', { username, password });
    if (res.status === 200) this.token = res.body.accessToken;
    return res;
  }

  /** Waits (bounded) until the nomination's workflow has recorded `count` steps with `action`. */
  stepsRecorded(nominationId: string, action: string, count = 1): Promise<void> {
    return stepsRecorded(this.app.app.get(Client), nominationWorkflowId(nominationId), action, count);
  }

  /** The seeded demo campaign and one of its districts. */
  async demo(): Promise<{ campaignId: string; provinceId: string; districtId: string }> {
    const [province] = (await this.call('GET', '/units')).body;
    const [campaign] = (await this.call('GET', '/campaigns')).body;
    const district = province.children.find((u: { name: string }) => u.name === 'Huyện Đức Linh');
    return { campaignId: campaign.id, provinceId: province.id, districtId: district.id };
  }
}
