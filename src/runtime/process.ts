import { Runtime } from '@temporalio/worker';
import type { AppRoles } from '../app.module';
import { type AppConfig, ConfigError, loadConfig } from '../config/config';
import { DEMO_USERS } from '../database/seed';
import { componentLogger, jsonLog, setLogLevel, temporalLogger } from '../logging/logger';
import { startApp } from './app-runner';
import { startEmbeddedPostgres } from './embedded-postgres';
import { onShutdown, stopAll, stopAllOnSignals } from './supervisor';
import { startTemporalDevServer } from './temporal-dev-server';

/**
 * Runs one process of the application: `npm start` (embedded: everything in one process, starting its
 * own PostgreSQL and Temporal dev server unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere), or
 * `start:api` / `start:worker` against external services. Ctrl-C stops what was started, in reverse.
 */
export async function runProcess(roles: AppRoles, opts: { embedded: boolean }): Promise<void> {
  const config = configOrExit();
  setLogLevel(config.logLevel);
  installTemporalRuntime();
  const onStopError = (name: string, err: unknown) =>
    jsonLog('error', `failed to stop ${name}`, { component: 'runtime', err });
  const exit = (code: number) => {
    jsonLog('info', 'stopped', { component: 'runtime' });
    process.exit(code);
  };
  // The embedded servers register themselves as they start; the application, started last, stops first.
  stopAllOnSignals(() => exit(0), onStopError);

  try {
    if (!config.databaseUrl) {
      if (!opts.embedded)
        throw new ConfigError('DATABASE_URL must be set (only `npm start` embeds PostgreSQL)');
      const pg = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        database: 'nominations',
        log: componentLogger('embedded-postgres'),
      });
      config.databaseUrl = pg.url;
    }
    if (!config.temporal.address) {
      if (!opts.embedded)
        throw new ConfigError('TEMPORAL_ADDRESS must be set (only `npm start` embeds Temporal)');
      const temporal = await startTemporalDevServer({
        dataDir: config.dataDir,
        namespace: config.temporal.namespace,
        port: config.temporal.devServerPort,
        uiPort: config.temporal.devServerUiPort,
        log: componentLogger('temporal-dev-server'),
      });
      config.temporal.address = temporal.address;
      config.temporal.uiUrl ??= temporal.uiUrl;
    }
    const app = await startApp(config, roles);
    onShutdown('application', app.close);
    printBanner(config, roles, app.url, opts.embedded);
  } catch (err) {
    // One clear line instead of a stack trace: configuration and start-up problems are the user's to fix.
    const message = err instanceof Error ? err.message : String(err);
    jsonLog('error', `failed to start: ${message}`, { component: 'runtime' });
    process.stderr.write(`\nFailed to start: ${message}\n`);
    await stopAll(onStopError);
    exit(1);
  }
}

function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** Temporal's own logs through pino; and no signal handlers of its own, since we stop in order. */
function installTemporalRuntime(): void {
  Runtime.install({ shutdownSignals: [], logger: temporalLogger() });
}

function printBanner(
  config: AppConfig,
  roles: AppRoles,
  apiUrl: string | undefined,
  embedded: boolean,
): void {
  const lines = ['', 'Nomination workflow engine is running.'];
  if (apiUrl) {
    lines.push(
      `  API:              ${apiUrl}`,
      `  Web pages:        ${apiUrl}/app`,
      `  OpenAPI (docs):   ${apiUrl}/docs`,
      `  Health:           ${apiUrl}/health`,
    );
  }
  if (config.temporal.uiUrl) lines.push(`  Temporal Web UI:  ${config.temporal.uiUrl}`);
  lines.push(`  Temporal:         ${config.temporal.address} (namespace ${config.temporal.namespace})`);
  if (roles.worker) lines.push(`  Worker:           task queue ${config.temporal.taskQueue}`);
  if (apiUrl) {
    const password = process.env.ADMIN_PASSWORD ? '(ADMIN_PASSWORD)' : config.admin.password;
    lines.push(`  Administrator:    ${config.admin.username} / ${password}`);
    if (config.demo.enabled) {
      const demoPassword = process.env.DEMO_PASSWORD ? '(DEMO_PASSWORD)' : config.demo.password;
      lines.push(`  Demo users:       ${DEMO_USERS.map((u) => u.username).join(', ')} / ${demoPassword}`);
    }
  }
  if (embedded) lines.push(`  Data:             ${config.dataDir}`);
  lines.push('  Press Ctrl-C to stop.', '');
  process.stdout.write(lines.join('\n') + '\n');
}
