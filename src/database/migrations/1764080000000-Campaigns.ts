import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Units you can search and manage, campaigns run by a campaign workflow (audit, quotas, closing), and
 * the milestones per nomination that the unit status and the funnel count.
 */
export class Campaigns1764080000000 implements MigrationInterface {
  name = 'Campaigns1764080000000';

  async up(q: QueryRunner): Promise<void> {
    // Both ship with PostgreSQL's contrib and are "trusted": the database owner may create them.
    await q.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    // unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes it safe to
    // use in a generated column and an index, which is the documented way to index it.
    await q.query(`
      CREATE FUNCTION immutable_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$`);

    await q.query(`ALTER TABLE units ADD COLUMN active boolean NOT NULL DEFAULT true`);
    await q.query(
      `ALTER TABLE units ADD COLUMN search_name text GENERATED ALWAYS AS (lower(immutable_unaccent(name))) STORED`,
    );
    await q.query(`CREATE INDEX ix_units_search_name ON units USING gin (search_name gin_trgm_ops)`);
    // Two siblings with the same name (ignoring case) would make "unit by name" ambiguous.
    await q.query(
      `CREATE UNIQUE INDEX uq_units_parent_name ON units (COALESCE(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name))`,
    );

    await q.query(`ALTER TABLE campaigns ADD COLUMN quotas jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`ALTER TABLE campaigns ADD COLUMN workflow_id text`);
    await q.query(`UPDATE campaigns SET workflow_id = 'campaign-' || id`);
    await q.query(`ALTER TABLE campaigns ALTER COLUMN workflow_id SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX uq_campaigns_workflow_id ON campaigns (workflow_id)`);
    await q.query(`ALTER TABLE campaigns ADD COLUMN closed_at timestamptz`);

    // The district-level unit that reviews a nomination: the registering unit, or its parent for a
    // grassroots unit. Unit status and reports group by it.
    await q.query(`ALTER TABLE nominations ADD COLUMN district_unit_id uuid REFERENCES units(id)`);
    await q.query(`
      UPDATE nominations n SET district_unit_id = CASE WHEN u.level = 'grassroots' THEN u.parent_id ELSE u.id END
        FROM units u WHERE u.id = n.unit_id`);
    await q.query(`ALTER TABLE nominations ALTER COLUMN district_unit_id SET NOT NULL`);
    await q.query(
      `CREATE INDEX ix_nominations_campaign_district_unit ON nominations (campaign_id, district_unit_id)`,
    );
    // The open nominations a calendar change is fanned out to, paged by workflow id.
    await q.query(
      `CREATE INDEX ix_nominations_open_by_campaign ON nominations (campaign_id, workflow_id) WHERE stage <> 'closed'`,
    );
    // Milestones: when a nomination was recognized by its district, proposed, recognized by the province.
    // They stay set whatever happens later (a recognized model withdrawn at the province was recognized).
    await q.query(`ALTER TABLE nominations ADD COLUMN district_recognized_at timestamptz`);
    await q.query(`ALTER TABLE nominations ADD COLUMN proposed_at timestamptz`);
    await q.query(`ALTER TABLE nominations ADD COLUMN recognized_at timestamptz`);
    for (const [column, stage, decision] of [
      ['district_recognized_at', 'district_review', 'recognize'],
      ['proposed_at', 'provincial_proposal', 'propose'],
      ['recognized_at', 'recognition', 'recognize'],
    ]) {
      await q.query(
        `UPDATE nominations n SET ${column} = a.occurred_at FROM audit_events a
          WHERE a.nomination_id = n.id AND a.action = 'decided' AND a.stage_before = $1 AND a.decision = $2`,
        [stage, decision],
      );
    }

    await q.query(`CREATE INDEX ix_tasks_open_nomination ON tasks (nomination_id) WHERE status = 'open'`);

    // Campaign-level notices ("Huyện Đức Linh has proposed nothing") belong to no nomination.
    await q.query(`ALTER TABLE notifications ALTER COLUMN nomination_id DROP NOT NULL`);
    await q.query(`ALTER TABLE notifications ADD COLUMN campaign_id uuid REFERENCES campaigns(id)`);

    await q.query(`
      CREATE TABLE campaign_events (
        id bigserial PRIMARY KEY,
        campaign_id uuid NOT NULL REFERENCES campaigns(id),
        workflow_id text NOT NULL,
        seq int NOT NULL,
        action text NOT NULL,
        actor_type text NOT NULL CHECK (actor_type IN ('user', 'system')),
        actor_user_id uuid REFERENCES users(id),
        actor_name text NOT NULL,
        stage text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_campaign_events_workflow_seq ON campaign_events (workflow_id, seq)`,
    );
    await q.query(`CREATE INDEX ix_campaign_events_campaign ON campaign_events (campaign_id, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE campaign_events`);
    await q.query(`ALTER TABLE notifications DROP COLUMN campaign_id`);
    await q.query(`DELETE FROM notifications WHERE nomination_id IS NULL`);
    await q.query(`ALTER TABLE notifications ALTER COLUMN nomination_id SET NOT NULL`);
    await q.query(`DROP INDEX ix_tasks_open_nomination`);
    await q.query(`DROP INDEX ix_nominations_open_by_campaign`);
    await q.query(
      `ALTER TABLE nominations DROP COLUMN recognized_at, DROP COLUMN proposed_at,
         DROP COLUMN district_recognized_at, DROP COLUMN district_unit_id`,
    );
    await q.query(`ALTER TABLE campaigns DROP COLUMN closed_at, DROP COLUMN workflow_id, DROP COLUMN quotas`);
    await q.query(`DROP INDEX uq_units_parent_name`);
    await q.query(`ALTER TABLE units DROP COLUMN search_name, DROP COLUMN active`);
    await q.query(`DROP FUNCTION immutable_unaccent(text)`);
  }
}
