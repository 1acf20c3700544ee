import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { SCOPE_CTE } from '../units/scope.repository';

export interface AbsenceUserRow {
  id: string;
  role: string;
  unit_id: string;
  active: boolean;
}

/** An absence with the names of the absent reviewer and of the acting colleague. */
export interface AbsenceRow {
  id: string;
  user_id: string;
  user_name: string;
  acting_user_id: string;
  acting_user_name: string;
  starts_at: Date;
  ends_at: Date;
}

/** All SQL of absence cover. Built on a DataSource, or on a transaction's EntityManager. */
@Injectable()
export class AbsencesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  async insert(a: {
    userId: string;
    actingUserId: string;
    startsAt: string;
    endsAt: string;
    createdBy: string;
  }): Promise<string> {
    const [row]: { id: string }[] = await this.db.query(
      `INSERT INTO absences (user_id, acting_user_id, starts_at, ends_at, created_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [a.userId, a.actingUserId, a.startsAt, a.endsAt, a.createdBy],
    );
    return row.id;
  }

  /**
   * The current and coming absences the viewer is part of (absent or acting); with `subtree`, also all
   * of the users of the viewer's unit and the units under it. `id`: only that one.
   */
  list(v: { unitId: string; userId: string; id: string | null; subtree: boolean }): Promise<AbsenceRow[]> {
    return this.db.query(
      `${SCOPE_CTE}
       SELECT a.id, a.user_id, absent.display_name AS user_name, a.acting_user_id,
              acting.display_name AS acting_user_name, a.starts_at, a.ends_at
         FROM absences a JOIN users absent ON absent.id = a.user_id JOIN users acting ON acting.id = a.acting_user_id
        WHERE a.ends_at > now() AND ($3::uuid IS NULL OR a.id = $3)
          AND (a.user_id = $2 OR a.acting_user_id = $2
               OR ($4 AND absent.unit_id IN (SELECT id FROM scope)))
        ORDER BY a.starts_at, a.id`,
      [v.unitId, v.userId, v.id, v.subtree],
    );
  }

  async delete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM absences WHERE id = $1`, [id]);
  }

  async user(id: string): Promise<AbsenceUserRow | undefined> {
    const [u]: AbsenceUserRow[] = await this.db.query(
      `SELECT id, role, unit_id, active FROM users WHERE id = $1`,
      [id],
    );
    return u;
  }

  /** A user of the unit's subtree. */
  async userWithin(unitId: string, id: string): Promise<AbsenceUserRow | undefined> {
    const [u]: AbsenceUserRow[] = await this.db.query(
      `${SCOPE_CTE} SELECT id, role, unit_id, active FROM users WHERE id = $2 AND unit_id IN (SELECT id FROM scope)`,
      [unitId, id],
    );
    return u;
  }
}
