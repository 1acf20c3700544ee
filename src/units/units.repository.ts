import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { escapeLike } from '../common/sql';
import { SCOPE_CTE } from './scope.repository';
import type { UnitLevel } from './unit.entity';

export interface UnitRow {
  id: string;
  name: string;
  level: UnitLevel;
  parent_id: string | null;
  active: boolean;
}

/** What refers to a unit, by kind: a unit with any of it is kept (deactivated), never deleted. */
export interface UnitReferencesRow {
  child_units: number;
  nominations: number;
  open_nominations: number;
  users: number;
  campaigns: number;
  tasks: number;
  audit_events: number;
  notifications: number;
}

/** All SQL of the organisation tree. Built on a DataSource, or on a transaction's EntityManager. */
@Injectable()
export class UnitsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  /** Runs `fn` in a transaction, with a repository bound to it. */
  transaction<T>(fn: (repo: UnitsRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((m) => fn(new UnitsRepository(m)));
  }

  /** The units of the subtree of `rootUnitId` down to the given levels, by name. */
  subtree(rootUnitId: string, includeInactive: boolean, levels: UnitLevel[]): Promise<UnitRow[]> {
    return this.db.query(
      `${SCOPE_CTE}
       SELECT id, name, level, parent_id, active FROM units
        WHERE ($2::boolean OR active) AND level = ANY($3::text[]) AND id IN (SELECT id FROM scope)
        ORDER BY name, id`,
      [rootUnitId, includeInactive, levels],
    );
  }

  /**
   * Matches the generated, trigram-indexed `search_name` (lower-cased, diacritics removed: đ → d) against
   * the query treated the same way; `%` and `_` in the query are literal characters, not wildcards.
   */
  search(
    rootUnitId: string,
    q: string,
    level: UnitLevel | null,
    includeInactive: boolean,
    limit: number,
  ): Promise<UnitRow[]> {
    return this.db.query(
      `${SCOPE_CTE}
       SELECT id, name, level, parent_id, active FROM units
        WHERE search_name LIKE '%' || lower(immutable_unaccent($2)) || '%' ESCAPE '\\'
          AND ($4::text IS NULL OR level = $4)
          AND ($5::boolean OR active)
          AND id IN (SELECT id FROM scope)
        ORDER BY similarity(search_name, lower(immutable_unaccent($3))) DESC, name, id
        LIMIT ${limit}`,
      [rootUnitId, escapeLike(q), q, level, includeInactive],
    );
  }

  byId(id: string): Promise<UnitRow[]> {
    return this.db.query(`SELECT id, name, level, parent_id, active FROM units WHERE id = $1`, [id]);
  }

  async insert(name: string, level: UnitLevel, parentId: string | null): Promise<string> {
    const [row]: { id: string }[] = await this.db.query(
      `INSERT INTO units (name, level, parent_id) VALUES ($1, $2, $3) RETURNING id`,
      [name, level, parentId],
    );
    return row.id;
  }

  /** Share-locks the unit's parent. */
  async lockParentForShare(id: string): Promise<void> {
    await this.db.query(
      `SELECT 1 FROM units WHERE id = (SELECT parent_id FROM units WHERE id = $1) FOR SHARE`,
      [id],
    );
  }

  async lockForUpdate(id: string): Promise<UnitRow | undefined> {
    const [unit]: UnitRow[] = await this.db.query(
      `SELECT id, name, level, parent_id, active FROM units WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return unit;
  }

  async lockNameForUpdate(id: string): Promise<Pick<UnitRow, 'id' | 'name'> | undefined> {
    const [unit]: UnitRow[] = await this.db.query(`SELECT id, name FROM units WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    return unit;
  }

  async rename(id: string, name: string): Promise<void> {
    await this.db.query(`UPDATE units SET name = $2 WHERE id = $1`, [id, name]);
  }

  async references(id: string): Promise<UnitReferencesRow> {
    const [refs]: UnitReferencesRow[] = await this.db.query(
      `SELECT
           (SELECT count(*) FROM units WHERE parent_id = $1)::int AS child_units,
           (SELECT count(*) FROM nominations WHERE unit_id = $1 OR district_unit_id = $1)::int AS nominations,
           (SELECT count(*) FROM nominations
             WHERE (unit_id = $1 OR district_unit_id = $1) AND stage <> 'closed')::int AS open_nominations,
           (SELECT count(*) FROM users WHERE unit_id = $1)::int AS users,
           (SELECT count(*) FROM campaigns WHERE province_unit_id = $1)::int AS campaigns,
           (SELECT count(*) FROM tasks WHERE assignee_unit_id = $1)::int AS tasks,
           (SELECT count(*) FROM audit_events WHERE actor_unit_id = $1)::int AS audit_events,
           (SELECT count(*) FROM notifications WHERE recipient_unit_id = $1)::int AS notifications`,
      [id],
    );
    return refs;
  }

  async delete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM units WHERE id = $1`, [id]);
  }

  /** Open nominations registered or reviewed in the unit's subtree. */
  async openNominationsUnder(id: string): Promise<number> {
    const [{ open }]: { open: number }[] = await this.db.query(
      `${SCOPE_CTE}
       SELECT count(*)::int AS open FROM nominations n
        WHERE n.stage <> 'closed'
          AND (n.unit_id IN (SELECT id FROM scope) OR n.district_unit_id IN (SELECT id FROM scope))`,
      [id],
    );
    return open;
  }

  /** The active children, locked like the unit: none can be reactivated meanwhile. */
  activeChildrenForUpdate(id: string): Promise<{ id: string }[]> {
    return this.db.query(`SELECT id FROM units WHERE parent_id = $1 AND active FOR UPDATE`, [id]);
  }

  async setActive(id: string, active: boolean): Promise<void> {
    await this.db.query(
      active
        ? `UPDATE units SET active = true WHERE id = $1`
        : `UPDATE units SET active = false WHERE id = $1`,
      [id],
    );
  }

  async nameAndActive(id: string): Promise<Pick<UnitRow, 'name' | 'active'>> {
    const [parent]: UnitRow[] = await this.db.query(`SELECT name, active FROM units WHERE id = $1`, [id]);
    return parent;
  }

  async parentForShare(id: string): Promise<Omit<UnitRow, 'parent_id'> | undefined> {
    const [parent]: UnitRow[] = await this.db.query(
      `SELECT id, name, level, active FROM units WHERE id = $1 FOR SHARE`,
      [id],
    );
    return parent;
  }

  /** A sibling with this name, ignoring case. */
  async siblingNamed(
    parentId: string | null,
    name: string,
    self: string | null,
  ): Promise<Pick<UnitRow, 'name' | 'active'> | undefined> {
    const [clash]: UnitRow[] = await this.db.query(
      `SELECT name, active FROM units
        WHERE parent_id IS NOT DISTINCT FROM $1 AND lower(name) = lower($2) AND id IS DISTINCT FROM $3`,
      [parentId, name, self],
    );
    return clash;
  }

  /** Each unit's names from its root down to it, in one recursive query. */
  paths(ids: string[]): Promise<{ id: string; path: string[] }[]> {
    return this.db.query(
      `WITH RECURSIVE up AS (
         SELECT u.id, u.parent_id AS next_id, ARRAY[u.name]::text[] AS path, 0 AS depth
           FROM units u WHERE u.id = ANY($1::uuid[])
         UNION ALL
         SELECT up.id, p.parent_id, p.name || up.path, up.depth + 1
           FROM up JOIN units p ON p.id = up.next_id
          WHERE up.depth < 16
       )
       SELECT id, path FROM up WHERE next_id IS NULL`,
      [ids],
    );
  }
}
