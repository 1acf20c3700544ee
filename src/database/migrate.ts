import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { MigrationLockRepository } from './migration-lock.repository';

// Any fixed number: every process that migrates takes the same lock, so an API and a worker starting
// together never run the same migration twice.
const MIGRATION_LOCK = 4_217_001;

/** Runs pending migrations under a PostgreSQL advisory lock; returns the names of those applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = await new DataSource(dataSourceOptions(url)).initialize();
  // A session-level lock belongs to one connection: hold it on a dedicated one.
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await new MigrationLockRepository(lock).acquire(MIGRATION_LOCK);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.release(); // closing the session releases the lock
    await ds.destroy();
  }
}
