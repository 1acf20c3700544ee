import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `GET /nominations` reads newest first, paged by a (created_at, id) keyset cursor: these indexes, read
 * backwards, give a page as one range scan, across the caller's scope or within one campaign.
 */
export class NominationListing1764150000000 implements MigrationInterface {
  name = 'NominationListing1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_nominations_listing ON nominations (created_at, id)`);
    await q.query(
      `CREATE INDEX ix_nominations_listing_campaign ON nominations (campaign_id, created_at, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_nominations_listing_campaign`);
    await q.query(`DROP INDEX ix_nominations_listing`);
  }
}
