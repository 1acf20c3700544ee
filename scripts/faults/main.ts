import { Client, Connection } from '@temporalio/client';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { freePort } from '../../src/runtime/ports';
import { Chaos } from './chaos';
import {
  checkAudit,
  checkNotifications,
  checkOutcomes,
  checkReadModel,
  checkRetriedAnswers,
  checkServerErrors,
  type CheckResult,
} from './checks';
import { ClientStats, RetryingClient, sleep } from './client';
import { type Driven, driveNomination, login, prepareRound } from './drive';
import { profileFromEnv } from './profiles';
import { AppProcess, Postgres, Smtp, Temporal } from './services';

/*
 * `npm run test:faults` (issue 11, item 9): the API and two workers as separate processes on the suite's own
 * Temporal dev server, PostgreSQL and SMTP server; a retrying client drives nominations to scripted outcomes
 * while workers are SIGKILLed every 10 s, the API is SIGKILLed once, the dev server, PostgreSQL and SMTP go
 * down once; then every promise is checked and the figures printed. FAULTS_PROFILE=small|full.
 */

const ADMIN = { username: 'faults-admin', password: 'faults-admin-password' };
const log = (msg: string) => process.stdout.write(`[faults] ${msg}\n`);

async function main(): Promise<number> {
  const profile = profileFromEnv();
  const runId = Date.now().toString(36);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-'));
  // As root, PostgreSQL runs as the `postgres` user, which must reach its data directory.
  fs.chmodSync(root, 0o755);
  const logDir = path.join(root, 'logs');
  fs.mkdirSync(logDir);
  log(
    `profile ${profile.name}: ${profile.nominations} nominations, ${profile.concurrency} at once; files in ${root}`,
  );

  const started = Date.now();
  const postgres = await Postgres.start(path.join(root, 'postgres'));
  const temporal = await Temporal.start(path.join(root, 'temporal'));
  const smtp = await Smtp.start();
  const apiPort = await freePort();
  const env = appEnv({
    PORT: String(apiPort),
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporal.address,
    SMTP_URL: smtp.url,
    // A killed worker's claimed emails, and those waiting out the SMTP outage, go out within seconds.
    EMAIL_CLAIM_MS: '10000',
    EMAIL_RETRY_MIN_MS: '1000',
    EMAIL_RETRY_MAX_MS: '5000',
    DATA_DIR: path.join(root, 'app'),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
  });
  const dist = path.resolve(__dirname, '..', '..', 'src');
  const api = new AppProcess('api', path.join(dist, 'api.js'), env, logDir, log);
  const workers = [1, 2].map(
    (i) => new AppProcess(`worker-${i}`, path.join(dist, 'worker.js'), env, logDir, log),
  );
  const stats = new ClientStats();
  const client = new RetryingClient(`http://127.0.0.1:${apiPort}`, stats, profile.requestTimeoutMs);
  const checks: CheckResult[] = [];
  let driven: Driven[] = [];
  let chaos: Chaos | undefined;
  let driveMs = 0;
  try {
    api.start();
    await waitHealthy(client);
    for (const w of workers) w.start();
    await login(client, ADMIN.username, ADMIN.password);
    const round = await prepareRound(client, runId);
    log(`services up in ${((Date.now() - started) / 1000).toFixed(1)} s; driving`);

    const driveStart = Date.now();
    const giveUpAt = driveStart + profile.runDeadlineMs;
    let next = 0;
    let finished = 0;
    chaos = new Chaos(
      { api, workers, temporal, postgres, smtp },
      profile,
      () => finished / profile.nominations,
      log,
    );
    chaos.start();
    const lane = async () => {
      while (next < profile.nominations) {
        const d = await driveNomination(client, round, runId, next++, giveUpAt);
        driven.push(d);
        finished++;
        if (finished % Math.max(1, Math.floor(profile.nominations / 10)) === 0) {
          log(
            `${finished}/${profile.nominations} nominations done, ${stats.requests} requests, ${stats.retries} retries`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: profile.concurrency }, lane));
    driveMs = Date.now() - driveStart;
    await chaos.stop();
    driven = driven.sort((a, b) => a.n - b.n);

    const ds = await new DataSource(dataSourceOptions(postgres.url)).initialize();
    const connection = await Connection.connect({ address: temporal.address });
    try {
      checks.push(await checkOutcomes(ds, driven));
      checks.push(await checkAudit(ds, driven));
      // Emails are at least once and after the fact: give the sender a minute after SMTP came back.
      let mail: CheckResult[] = [];
      for (const until = Date.now() + 60_000; ; await sleep(2_000)) {
        mail = await checkNotifications(ds, driven, round, smtp.received);
        if (mail.every((c) => c.result !== 'FAIL') || Date.now() > until) break;
      }
      checks.push(...mail);
      checks.push(checkServerErrors(stats));
      checks.push(checkRetriedAnswers(driven));
      checks.push(await checkReadModel(ds, new Client({ connection }), driven));
    } finally {
      await connection.close();
      await ds.destroy();
    }
  } catch (err) {
    checks.push({
      name: 'the suite ran to the end',
      result: 'FAIL',
      figures: (err as Error).stack ?? String(err),
    });
  } finally {
    for (const p of [...workers, api]) await p.stop().catch(() => undefined);
    await temporal.stop().catch(() => undefined);
    await postgres.stop().catch(() => undefined);
    await smtp.stop().catch(() => undefined);
  }

  report(checks);
  const c = chaos?.counts;
  const statuses = [...stats.statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  const figures = [
    `profile:        ${profile.name}`,
    `nominations:    ${driven.length} driven, ${driven.filter((d) => !d.failure).length} to the end of their script`,
    `requests:       ${stats.requests} sent, ${stats.retries} retries (${stats.networkErrors} network errors, ${stats.timeouts} timeouts)`,
    `statuses:       ${statuses}`,
    `waits:          ${percentiles(stats.latenciesMs)} per answered request, retries included`,
    `restarts:       worker SIGKILL ${c?.workerKills ?? 0}, API SIGKILL ${c?.apiKills ?? 0}, Temporal ${c?.temporalRestarts ?? 0}, PostgreSQL ${c?.postgresRestarts ?? 0}, SMTP outages ${c?.smtpOutages ?? 0}; processes that died on their own and were restarted: ${[api, ...workers].map((p) => `${p.name} ${p.crashes}`).join(', ')}`,
    `worker starts:  ${startTimes(workers)}`,
    `emails:         ${smtp.received.length} accepted by the SMTP server`,
    `duration:       drive ${(driveMs / 1000).toFixed(1)} s, total ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `logs:           ${logDir}`,
  ];
  process.stdout.write(`\nFigures\n${figures.map((f) => `  ${f}`).join('\n')}\n`);
  if (c?.timeline.length)
    process.stdout.write(`\nFault timeline\n${c.timeline.map((t) => `  ${t}`).join('\n')}\n`);
  const failed = checks.some((ch) => ch.result === 'FAIL');
  if (!failed && !process.env.FAULTS_KEEP) fs.rmSync(root, { recursive: true, force: true });
  return failed ? 1 : 0;
}

/** The application's environment: only what the suite sets, nothing of a caller's TEMPORAL_* or DATABASE_URL. */
function appEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('TEMPORAL_') && !['DATABASE_URL', 'SMTP_URL', 'PORT', 'DATA_DIR'].includes(k),
    ),
  );
  return {
    ...base,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    JWT_TTL_SECONDS: '86400',
    LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1000000',
    ...vars,
  };
}

/** Spawn to serving, per start of the workers: how long a killed worker leaves its share of the work undone. */
function startTimes(workers: AppProcess[]): string {
  const ms = workers.flatMap((w) => w.startMs);
  return ms.length ? `${ms.length} starts, ${percentiles(ms)}` : 'none';
}

function percentiles(values: number[]): string {
  const ms = [...values].sort((a, b) => a - b);
  if (!ms.length) return 'none';
  const at = (p: number) => (ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] / 1000).toFixed(1);
  return `median ${at(0.5)} s, p99 ${at(0.99)} s, max ${at(1)} s`;
}

async function waitHealthy(client: RetryingClient): Promise<void> {
  const until = Date.now() + 180_000;
  for (;;) {
    const res = await client.send('GET', '/health', undefined, { giveUpAt: until }).catch(() => undefined);
    if (res?.status === 200) return;
    if (Date.now() > until) throw new Error('the API did not become healthy in 3 minutes');
    await sleep(1_000);
  }
}

function report(checks: CheckResult[]): void {
  process.stdout.write('\nChecks\n');
  for (const c of checks) {
    process.stdout.write(`  ${c.result.padEnd(11)} ${c.name}: ${c.figures}\n`);
    for (const e of c.examples ?? []) process.stdout.write(`              e.g. ${e}\n`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fault suite failed to run: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
