import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Places held by proposals whose Update is on its way to the workflow (src/tasks/proposal-quota.ts): a
 * unit's quota counts them with its proposed nominations, without a transaction held across the Update.
 * One per task; each lapses at `expires_at`, so a crashed API's places come back by themselves.
 */
export class ProposalReservations1764140000000 implements MigrationInterface {
  name = 'ProposalReservations1764140000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE proposal_reservations (
        task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        nomination_id uuid NOT NULL REFERENCES nominations(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL,
        district_unit_id uuid NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_proposal_reservations_task ON proposal_reservations (task_id)`);
    await q.query(
      `CREATE INDEX ix_proposal_reservations_nomination ON proposal_reservations (nomination_id)`,
    );
    await q.query(
      `CREATE INDEX ix_proposal_reservations_unit ON proposal_reservations (campaign_id, district_unit_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE proposal_reservations`);
  }
}
