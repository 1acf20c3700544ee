import type { EntityManager } from 'typeorm';

/**
 * Unit scope (docs/design.md §2): every user sees and acts only within their unit and the units under it.
 * These queries are the one place that says what "within" means; every service filters through them.
 */

/**
 * The unit `root` (a placeholder: `$1`, `$2`, `:scopeRoot`) and every unit under it, as a CTE named `scope`
 * (id). Further CTEs may follow it after a comma: `WITH RECURSIVE` covers the whole list.
 */
export function scopeCte(root: string): string {
  return `
  WITH RECURSIVE scope AS (
    SELECT id FROM units WHERE id = ${root}
    UNION ALL
    SELECT u.id FROM units u JOIN scope s ON u.parent_id = s.id
  )`;
}

/** `$1` and every unit under it, as a CTE named `scope` (id). */
export const SCOPE_CTE = scopeCte('$1');

/** The ids of a unit and every unit under it. */
export async function unitsWithin(m: EntityManager, rootUnitId: string): Promise<string[]> {
  const rows: { id: string }[] = await m.query(`${SCOPE_CTE} SELECT id FROM scope`, [rootUnitId]);
  return rows.map((r) => r.id);
}

/** Whether `unitId` is `rootUnitId` or under it. */
export async function isWithin(m: EntityManager, unitId: string, rootUnitId: string): Promise<boolean> {
  const rows: unknown[] = await m.query(`${SCOPE_CTE} SELECT 1 FROM scope WHERE id = $2`, [
    rootUnitId,
    unitId,
  ]);
  return rows.length > 0;
}

/** The same set for TypeORM's query builder, as a subquery on the named parameter `:scopeRoot`. */
export const SCOPE_SUBQUERY = `${scopeCte(':scopeRoot')} SELECT id FROM scope`;

/** `$1` and every unit above it, as a CTE named `above` (id): a campaign is seen from inside its province. */
export const ANCESTORS_CTE = `
  WITH RECURSIVE above AS (
    SELECT id, parent_id FROM units WHERE id = $1
    UNION ALL
    SELECT u.id, u.parent_id FROM units u JOIN above a ON u.id = a.parent_id
  )`;
