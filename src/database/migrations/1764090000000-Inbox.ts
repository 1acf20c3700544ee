import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The reviewer inbox: claims, text search over titles, absence cover, notices to one user. */
export class Inbox1764090000000 implements MigrationInterface {
  name = 'Inbox1764090000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN claimed_at timestamptz`);
    // The two halves of an inbox: what the caller has claimed, and their unit's unclaimed pool for their role.
    await q.query(
      `CREATE INDEX ix_tasks_open_by_user ON tasks (assignee_user_id, due_at, id) WHERE status = 'open'`,
    );
    await q.query(
      `CREATE INDEX ix_tasks_open_pool ON tasks (assignee_unit_id, assignee_role, due_at, id)
        WHERE status = 'open' AND assignee_user_id IS NULL`,
    );
    // An administrator's inbox: every open task of their subtree, due first.
    await q.query(`CREATE INDEX ix_tasks_open_due ON tasks (due_at, id) WHERE status = 'open'`);
    await q.query(
      `ALTER TABLE nominations ADD COLUMN search_text text
         GENERATED ALWAYS AS (lower(immutable_unaccent(title || ' ' || nominee_name))) STORED`,
    );
    await q.query(
      `CREATE INDEX ix_nominations_search_text ON nominations USING gin (search_text gin_trgm_ops)`,
    );

    // A decision made by an acting colleague is recorded as theirs, on behalf of the absent reviewer.
    await q.query(`ALTER TABLE audit_events ADD COLUMN on_behalf_of_user_id uuid REFERENCES users(id)`);
    await q.query(`ALTER TABLE audit_events ADD COLUMN on_behalf_of_name text`);

    await q.query(`ALTER TABLE notifications ADD COLUMN recipient_user_id uuid REFERENCES users(id)`);
    await q.query(
      `CREATE INDEX ix_notifications_recipient_user ON notifications (recipient_user_id, created_at DESC)
        WHERE recipient_user_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE absences (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        acting_user_id uuid NOT NULL REFERENCES users(id),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at),
        CHECK (acting_user_id <> user_id)
      )`);
    await q.query(`CREATE INDEX ix_absences_acting_user ON absences (acting_user_id, ends_at)`);
    await q.query(`CREATE INDEX ix_absences_user ON absences (user_id, ends_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE absences`);
    await q.query(`ALTER TABLE notifications DROP COLUMN recipient_user_id`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN on_behalf_of_name, DROP COLUMN on_behalf_of_user_id`);
    await q.query(`ALTER TABLE nominations DROP COLUMN search_text`);
    await q.query(`DROP INDEX ix_tasks_open_due`);
    await q.query(`DROP INDEX ix_tasks_open_pool`);
    await q.query(`DROP INDEX ix_tasks_open_by_user`);
    await q.query(`ALTER TABLE tasks DROP COLUMN claimed_at`);
  }
}
