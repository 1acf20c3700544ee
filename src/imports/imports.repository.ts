import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { SCOPE_CTE } from '../units/scope.repository';

/** A unit of the importer's subtree, with its parent's name, as the file's unit names are matched. */
export interface ImportUnitRow {
  id: string;
  name: string;
  level: string;
  active: boolean;
  search_name: string;
  parent_name: string | null;
  parent_search_name: string | null;
}

/** All SQL of CSV imports. */
@Injectable()
export class ImportsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource | EntityManager) {}

  /** Which of these nominations exist already. */
  async existingNominationIds(ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM nominations WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  /** The unit and every one under it. */
  unitsWithin(unitId: string): Promise<ImportUnitRow[]> {
    return this.db.query(
      `${SCOPE_CTE}
         SELECT u.id, u.name, u.level, u.active, u.search_name, p.name AS parent_name,
                p.search_name AS parent_search_name
           FROM scope s JOIN units u ON u.id = s.id LEFT JOIN units p ON p.id = u.parent_id`,
      [unitId],
    );
  }

  /** Each text folded by PostgreSQL exactly as `search_name` is (lower case, no diacritics). */
  folded(keys: string[]): Promise<{ k: string; f: string }[]> {
    return this.db.query(`SELECT k, lower(immutable_unaccent(k)) AS f FROM unnest($1::text[]) AS k`, [keys]);
  }
}
