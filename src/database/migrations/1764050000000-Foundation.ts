import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1764050000000 implements MigrationInterface {
  name = 'Foundation1764050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE units (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        level text NOT NULL CHECK (level IN ('province', 'district', 'grassroots')),
        parent_id uuid REFERENCES units(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_units_parent_id ON units (parent_id)`);

    await q.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        year int NOT NULL,
        province_unit_id uuid NOT NULL REFERENCES units(id),
        calendar jsonb NOT NULL,
        registration_opens_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_campaigns_province_year ON campaigns (province_unit_id, year)`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL,
        password_hash text NOT NULL,
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('submitter', 'district_reviewer', 'provincial_reviewer', 'admin')),
        unit_id uuid NOT NULL REFERENCES units(id),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_users_username ON users (username)`);

    await q.query(`
      CREATE TABLE nominations (
        id uuid PRIMARY KEY,
        campaign_id uuid NOT NULL REFERENCES campaigns(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        title text NOT NULL,
        description text NOT NULL,
        field text NOT NULL,
        kind text NOT NULL,
        nominee_name text NOT NULL,
        stage text NOT NULL,
        outcome text,
        workflow_id text NOT NULL,
        created_by uuid NOT NULL REFERENCES users(id),
        projection_seq int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        closed_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_nominations_workflow_id ON nominations (workflow_id)`);
    await q.query(`CREATE INDEX ix_nominations_campaign_stage ON nominations (campaign_id, stage)`);
    await q.query(`CREATE INDEX ix_nominations_unit_stage ON nominations (unit_id, stage)`);

    await q.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY,
        nomination_id uuid NOT NULL REFERENCES nominations(id),
        workflow_id text NOT NULL,
        stage text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'completed')),
        allowed_decisions jsonb NOT NULL,
        assignee_role text NOT NULL,
        assignee_unit_id uuid NOT NULL REFERENCES units(id),
        assignee_user_id uuid REFERENCES users(id),
        due_at timestamptz,
        opened_at timestamptz NOT NULL,
        closed_at timestamptz,
        decision text,
        decided_by uuid REFERENCES users(id),
        comment text,
        score int
      )`);
    await q.query(`CREATE INDEX ix_tasks_nomination ON tasks (nomination_id)`);
    await q.query(`CREATE INDEX ix_tasks_inbox ON tasks (assignee_unit_id, status, due_at)`);

    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        nomination_id uuid NOT NULL REFERENCES nominations(id),
        workflow_id text NOT NULL,
        seq int NOT NULL,
        action text NOT NULL,
        actor_type text NOT NULL CHECK (actor_type IN ('user', 'system')),
        actor_user_id uuid REFERENCES users(id),
        actor_name text NOT NULL,
        actor_role text,
        actor_unit_id uuid REFERENCES units(id),
        stage_before text,
        stage_after text NOT NULL,
        outcome text,
        task_id uuid,
        decision text,
        comment text,
        score int,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_audit_events_workflow_seq ON audit_events (workflow_id, seq)`);
    await q.query(`CREATE INDEX ix_audit_events_nomination ON audit_events (nomination_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['audit_events', 'tasks', 'nominations', 'users', 'campaigns', 'units']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
