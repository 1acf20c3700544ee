import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../src/config/config';
import { connectClient } from '../src/temporal/connection-options';
import { dataSourceOptions } from '../src/database/data-source-options';
import { reconcile, type ReconcileEntry } from '../src/reconcile/reconcile';
import type { RepairActor } from '../src/reconcile/repair';

const USAGE = `usage: npm run reconcile -- [--repair] [--admin <username>] [--closed-within-hours <n>] [--all] [--nomination <id>]...

Compares the read model (nominations, tasks) with each nomination workflow's state and prints one JSON line
per nomination that differs, then a summary line. --repair writes the workflow's state into the read model,
audited as an act of the administrator --admin (default ADMIN_USERNAME). --all prints equal ones too.
Needs DATABASE_URL and TEMPORAL_ADDRESS (and the worker running: a query is answered by a worker).
Exit code: 0 when nothing differs (or all was repaired), 1 when differences remain, 2 on bad usage.`;

interface Args {
  repair: boolean;
  all: boolean;
  admin?: string;
  closedWithinHours?: number;
  nominationIds?: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { repair: false, all: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(`${a} needs a value`);
      return v;
    };
    if (a === '--repair') args.repair = true;
    else if (a === '--all') args.all = true;
    else if (a === '--admin') args.admin = value();
    else if (a === '--closed-within-hours') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0)
        throw new ConfigError('--closed-within-hours must be a whole number ≥ 0');
      args.closedWithinHours = n;
    } else if (a === '--nomination') {
      const id = value();
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new ConfigError(`--nomination must be a nomination id (UUID)`);
      (args.nominationIds ??= []).push(id.toLowerCase());
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else throw new ConfigError(`unknown argument '${a}'`);
  }
  return args;
}

async function repairActor(ds: DataSource, username: string): Promise<RepairActor> {
  const [user]: { id: string; display_name: string; unit_id: string }[] = await ds.query(
    `SELECT id, display_name, unit_id FROM users WHERE username = $1 AND role = 'admin' AND active`,
    [username],
  );
  if (!user) throw new ConfigError(`--admin '${username}' is not an active administrator`);
  return { userId: user.id, displayName: user.display_name, unitId: user.unit_id };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError('DATABASE_URL must be set');
  if (!config.temporal.address) throw new ConfigError('TEMPORAL_ADDRESS must be set');
  const ds = await new DataSource(dataSourceOptions(config.databaseUrl)).initialize();
  const connection = await connectClient(config.temporal);
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const repairAs = args.repair ? await repairActor(ds, args.admin ?? config.admin.username) : undefined;
    const print = (e: ReconcileEntry) => {
      if (args.all || e.status !== 'equal') process.stdout.write(JSON.stringify(e) + '\n');
    };
    const report = await reconcile(
      ds,
      client,
      { repairAs, closedWithinHours: args.closedWithinHours, nominationIds: args.nominationIds },
      print,
    );
    process.stdout.write(
      JSON.stringify({ summary: report.counts, nominations: report.entries.length }) + '\n',
    );
    const { equal, repaired } = report.counts;
    return equal + repaired === report.entries.length ? 0 : 1;
  } finally {
    await connection.close();
    await ds.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `${err instanceof ConfigError ? 'Usage error' : 'reconcile failed'}: ${(err as Error).message}\n`,
    );
    if (err instanceof ConfigError) process.stderr.write(USAGE + '\n');
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
