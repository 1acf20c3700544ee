import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmbeddedPostgres } from '../../src/runtime/embedded-postgres';
import { resolveTemporalBinary } from '../../src/runtime/temporal-binaries';
import { startTemporalDevServer } from '../../src/runtime/temporal-dev-server';
import { withDatabase } from './database';

type Stop = () => Promise<void>;
declare global {
  var __testInfraStops: Stop[] | undefined;
}

const quiet = () => undefined;

/**
 * Starts what every tier shares, once per `npm test`: a real PostgreSQL (embedded, exactly as
 * `npm start` runs it, unless TEST_DATABASE_URL names a server) and a real Temporal dev server (unless
 * TEST_TEMPORAL_ADDRESS), and resolves the time-skipping test server. Each test file then makes its own
 * database and task queue, so files never see each other's rows or workflows.
 */
export default async function globalSetup(): Promise<void> {
  const stops: Stop[] = [];
  globalThis.__testInfraStops = stops;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomination-tests-'));
  // mkdtemp makes it 0700; as root, PostgreSQL runs as the postgres user and must be able to enter it.
  fs.chmodSync(dir, 0o755);
  stops.push(async () => fs.rmSync(dir, { recursive: true, force: true }));

  const testServer = await resolveTemporalBinary('temporal-test-server', { install: true, log: console.log });
  if (testServer) process.env.TEMPORAL_TEST_SERVER_PATH = testServer.path;

  const [pgUrl, temporalAddress] = await Promise.all([
    process.env.TEST_DATABASE_URL ??
      startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), database: 'postgres', log: quiet }).then(
        (pg) => {
          stops.push(pg.stop);
          return pg.url;
        },
      ),
    process.env.TEST_TEMPORAL_ADDRESS ??
      startTemporalDevServer({
        dataDir: path.join(dir, 'temporal'),
        namespace: 'default',
        port: 0,
        uiPort: 0,
        log: quiet,
      }).then((t) => {
        stops.push(t.stop);
        return t.address;
      }),
  ]);
  process.env.TEST_PG_SERVER_URL = withDatabase(pgUrl, 'postgres');
  process.env.TEST_TEMPORAL_ADDRESS = temporalAddress;
}
