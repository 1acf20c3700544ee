import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { escapeLike } from '../common/sql';
import type { Role } from '../domain/nomination';
import type { UnitLevel } from '../units/unit.entity';
import { SCOPE_CTE } from '../units/scope.repository';

const COLUMNS = `u.id, u.username, u.display_name, u.role, u.unit_id, u.email, u.active, u.created_at`;

/** A user as the API may show it: every column but the password hash. */
export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  unit_id: string;
  email: string | null;
  active: boolean;
  created_at: Date;
}

export interface UserFilter {
  scopeRootUnitId: string;
  unitId: string | null;
  role: Role | null;
  active: boolean | null;
  /** Matched against the username and the display name, without regard to case or diacritics. */
  q: string | null;
  limit: number;
}

export interface UserChanges {
  displayName: string | null;
  /** Whether `email` is to be written (null then clears it). */
  setEmail: boolean;
  email: string | null;
  passwordHash: string | null;
  active: boolean | null;
}

/** All SQL of user accounts. Built on a DataSource, or on a transaction's EntityManager. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  /** Runs `fn` in a transaction, with a repository bound to it. */
  transaction<T>(fn: (repo: UsersRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((m) => fn(new UsersRepository(m)));
  }

  async usernameTaken(username: string): Promise<boolean> {
    const [taken]: unknown[] = await this.db.query(`SELECT 1 FROM users WHERE username = $1`, [username]);
    return Boolean(taken);
  }

  async insert(u: {
    username: string;
    passwordHash: string;
    displayName: string;
    role: Role;
    unitId: string;
    email: string | null;
  }): Promise<UserRow> {
    const [created]: UserRow[] = await this.db.query(
      `INSERT INTO users AS u (username, password_hash, display_name, role, unit_id, email)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [u.username, u.passwordHash, u.displayName, u.role, u.unitId, u.email],
    );
    return created;
  }

  list(f: UserFilter): Promise<UserRow[]> {
    return this.db.query(
      `${SCOPE_CTE},
       wanted AS (
         SELECT id FROM units WHERE id = $2
         UNION ALL
         SELECT u.id FROM units u JOIN wanted w ON u.parent_id = w.id
       )
       SELECT ${COLUMNS} FROM users u
        WHERE u.unit_id IN (SELECT id FROM scope)
          AND ($2::uuid IS NULL OR u.unit_id IN (SELECT id FROM wanted))
          AND ($3::text IS NULL OR u.role = $3)
          AND ($4::boolean IS NULL OR u.active = $4)
          AND ($5::text IS NULL
               OR u.username LIKE '%' || lower(immutable_unaccent($5)) || '%' ESCAPE '\\'
               OR lower(immutable_unaccent(u.display_name)) LIKE '%' || lower(immutable_unaccent($5)) || '%' ESCAPE '\\')
        ORDER BY u.display_name, u.username
        LIMIT ${f.limit}`,
      [f.scopeRootUnitId, f.unitId, f.role, f.active, f.q && escapeLike(f.q)],
    );
  }

  async byId(id: string, lock: boolean): Promise<UserRow | undefined> {
    const [user]: UserRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM users u WHERE u.id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return user;
  }

  async update(id: string, c: UserChanges): Promise<UserRow> {
    const [[changed]]: [UserRow[], number] = await this.db.query(
      `UPDATE users u SET
           display_name = COALESCE($2, u.display_name),
           email = CASE WHEN $3::boolean THEN $4 ELSE u.email END,
           password_hash = COALESCE($5, u.password_hash),
           active = COALESCE($6, u.active)
         WHERE u.id = $1
         RETURNING ${COLUMNS}`,
      [id, c.displayName, c.setEmail, c.email, c.passwordHash, c.active],
    );
    return changed;
  }

  /** The unit, share-locked so it stays active until the transaction commits. */
  async unitForShare(
    unitId: string,
  ): Promise<{ name: string; level: UnitLevel; active: boolean } | undefined> {
    const [unit]: { name: string; level: UnitLevel; active: boolean }[] = await this.db.query(
      `SELECT name, level, active FROM units WHERE id = $1 FOR SHARE`,
      [unitId],
    );
    return unit;
  }

  /** The unit's name and whether it is active, share-locked. */
  async unitActiveForShare(unitId: string): Promise<{ name: string; active: boolean }> {
    const [unit]: { name: string; active: boolean }[] = await this.db.query(
      `SELECT name, active FROM units WHERE id = $1 FOR SHARE`,
      [unitId],
    );
    return unit;
  }

  async passwordHash(id: string): Promise<string | undefined> {
    const [row]: { password_hash: string }[] = await this.db.query(
      `SELECT password_hash FROM users WHERE id = $1`,
      [id],
    );
    return row?.password_hash;
  }

  /** The manager the repository runs on (for the unit scope's checks in the same transaction). */
  get manager(): EntityManager {
    return this.db instanceof DataSource ? this.db.manager : this.db;
  }
}
