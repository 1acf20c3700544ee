import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrate';
import { startEmbeddedPostgres } from '../src/runtime/embedded-postgres';

/**
 * Runs `fn` against a fresh, migrated database named `<prefix>_<time>`, dropped afterwards: on the server
 * of DATABASE_URL when set, else on an embedded PostgreSQL started in a temporary folder.
 */
export async function withBenchDatabase(
  prefix: string,
  fn: (ds: DataSource) => Promise<void>,
): Promise<void> {
  const { serverUrl, stop } = await server(prefix);
  const name = `${prefix}_${Date.now()}`;
  const admin = new PgClient({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    await runMigrations(url.toString());
    const ds = await new DataSource(dataSourceOptions(url.toString())).initialize();
    try {
      await fn(ds);
    } finally {
      await ds.destroy();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await stop();
  }
}

async function server(prefix: string): Promise<{ serverUrl: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { serverUrl: process.env.DATABASE_URL, stop: async () => undefined };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'postgres', log: () => undefined });
  return {
    serverUrl: pg.url,
    stop: async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `run` once to warm caches and plans, then `runs` times, and prints the median and 95th percentile. */
export async function measure(label: string, runs: number, run: () => Promise<unknown>): Promise<void> {
  await run();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await run();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const pct = (p: number) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))].toFixed(1);
  console.log(`${label}: median ${pct(50)} ms, p95 ${pct(95)} ms (${runs} runs)`);
}

/** A province of 14 district-level units with 3 grassroots units each; returns the province and `Huyện 1`. */
export async function seedBenchOrganisation(
  ds: DataSource,
): Promise<{ provinceId: string; districtId: string }> {
  const [province] = await ds.query(
    `INSERT INTO units (name, level) VALUES ('Tỉnh Thử nghiệm', 'province') RETURNING id`,
  );
  await ds.query(
    `INSERT INTO units (name, level, parent_id)
     SELECT 'Huyện ' || i, 'district', $1 FROM generate_series(1, 14) i`,
    [province.id],
  );
  await ds.query(
    `INSERT INTO units (name, level, parent_id)
     SELECT 'Xã ' || d.name || '-' || j, 'grassroots', d.id FROM units d, generate_series(1, 3) j WHERE d.level = 'district'`,
  );
  const [district] = await ds.query(`SELECT id FROM units WHERE name = 'Huyện 1'`);
  return { provinceId: province.id, districtId: district.id };
}
