import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Deadlines, revisions, withdrawal and in-app notifications (the nomination lifecycle). */
export class Lifecycle1764060000000 implements MigrationInterface {
  name = 'Lifecycle1764060000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE nominations ADD COLUMN overdue boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE nominations ADD COLUMN revisions int NOT NULL DEFAULT 0`);
    await q.query(
      `ALTER TABLE tasks ADD COLUMN kind text NOT NULL DEFAULT 'review' CHECK (kind IN ('review', 'revision'))`,
    );
    await q.query(`ALTER TABLE tasks ADD COLUMN cutoff_at timestamptz`);
    await q.query(`ALTER TABLE tasks ADD COLUMN overdue boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE tasks DROP CONSTRAINT tasks_status_check`);
    await q.query(
      `ALTER TABLE tasks ADD CONSTRAINT tasks_status_check CHECK (status IN ('open', 'completed', 'cancelled'))`,
    );
    await q.query(`
      CREATE TABLE notifications (
        id bigserial PRIMARY KEY,
        workflow_id text NOT NULL,
        seq int NOT NULL,
        idx int NOT NULL,
        nomination_id uuid NOT NULL REFERENCES nominations(id),
        recipient_unit_id uuid NOT NULL REFERENCES units(id),
        recipient_role text NOT NULL,
        kind text NOT NULL,
        message text NOT NULL,
        created_at timestamptz NOT NULL,
        read_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_notifications_workflow_seq_idx ON notifications (workflow_id, seq, idx)`,
    );
    await q.query(
      `CREATE INDEX ix_notifications_recipient ON notifications (recipient_unit_id, recipient_role, created_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
    await q.query(`ALTER TABLE tasks DROP CONSTRAINT tasks_status_check`);
    await q.query(
      `ALTER TABLE tasks ADD CONSTRAINT tasks_status_check CHECK (status IN ('open', 'completed'))`,
    );
    await q.query(`ALTER TABLE tasks DROP COLUMN overdue, DROP COLUMN cutoff_at, DROP COLUMN kind`);
    await q.query(`ALTER TABLE nominations DROP COLUMN revisions, DROP COLUMN overdue`);
  }
}
