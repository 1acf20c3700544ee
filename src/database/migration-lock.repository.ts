import type { QueryRunner } from 'typeorm';

/**
 * The migration lock's SQL. A session-level advisory lock belongs to one connection, so this is built on
 * a dedicated QueryRunner: releasing the runner closes the session and with it the lock.
 */
export class MigrationLockRepository {
  constructor(private readonly session: QueryRunner) {}

  /** Waits until this session holds the lock `key`. */
  async acquire(key: number): Promise<void> {
    await this.session.query('SELECT pg_advisory_lock($1)', [key]);
  }
}
