import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../domain/nomination';

export interface SeedCampaign {
  id: string;
  name: string;
  year: number;
  provinceUnitId: string;
  /** The calendar, as JSON. */
  calendar: string;
  registrationOpensAt: string;
  workflowId: string;
}

export interface SeedUser {
  username: string;
  passwordHash: string;
  displayName: string;
  role: Role;
  unitId: string | undefined;
}

/**
 * All SQL of seeding an empty database. Built on a DataSource, or on a transaction's EntityManager
 * (`new SeedRepository(m)`).
 */
export class SeedRepository {
  constructor(private readonly db: DataSource | EntityManager) {}

  /** Runs `fn` in a transaction, with a repository bound to it. */
  transaction<T>(fn: (repo: SeedRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((m) => fn(new SeedRepository(m)));
  }

  /** Serialises two processes seeding the same empty database at once, until the transaction ends. */
  async lockUsers(): Promise<void> {
    await this.db.query('LOCK TABLE users IN EXCLUSIVE MODE');
  }

  async countUsers(): Promise<number> {
    const [{ count }]: { count: number }[] = await this.db.query('SELECT count(*)::int AS count FROM users');
    return count;
  }

  async insertProvince(name: string): Promise<string> {
    const [province]: { id: string }[] = await this.db.query(
      `INSERT INTO units (name, level) VALUES ($1, 'province') RETURNING id`,
      [name],
    );
    return province.id;
  }

  async insertUnit(name: string, level: string, parentId: string): Promise<string> {
    const [unit]: { id: string }[] = await this.db.query(
      `INSERT INTO units (name, level, parent_id) VALUES ($1, $2, $3) RETURNING id`,
      [name, level, parentId],
    );
    return unit.id;
  }

  async insertCampaign(c: SeedCampaign): Promise<void> {
    await this.db.query(
      `INSERT INTO campaigns (id, name, year, province_unit_id, calendar, registration_opens_at, workflow_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [c.id, c.name, c.year, c.provinceUnitId, c.calendar, c.registrationOpensAt, c.workflowId],
    );
  }

  async insertAdmin(u: Omit<SeedUser, 'role'>): Promise<void> {
    await this.db.query(
      `INSERT INTO users (username, password_hash, display_name, role, unit_id) VALUES ($1, $2, $3, 'admin', $4)`,
      [u.username, u.passwordHash, u.displayName, u.unitId],
    );
  }

  async insertUser(u: SeedUser): Promise<void> {
    await this.db.query(
      `INSERT INTO users (username, password_hash, display_name, role, unit_id) VALUES ($1, $2, $3, $4, $5)`,
      [u.username, u.passwordHash, u.displayName, u.role, u.unitId],
    );
  }
}
