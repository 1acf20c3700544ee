import type { DataSource, EntityManager } from 'typeorm';
import { SYSTEM_ACTOR_NAME } from '../src/contracts/audit';
import type { CampaignStep, CampaignStepResult } from '../src/contracts/projection';
import type { UnitStage } from '../src/domain/campaign';
import { funnelCondition } from '../src/domain/milestones';
import { UNIT_STAGE_STEP } from '../src/domain/vocabulary';

/** A district-level unit of the campaign's province, and whether it has submitted at a stage. */
export interface UnitSubmissionRow {
  id: string;
  name: string;
  submitted: boolean;
}

/** What a campaign step's audit event keeps of what the step found, and of its inputs. */
export type CampaignEventDetails = Omit<CampaignStepResult, 'applied'> &
  Pick<CampaignStep, 'offsetHours' | 'cutoffAt' | 'calendar'>;

/**
 * All SQL of recording a campaign workflow's step (its audit log, its calendar in the read model) and
 * of paging its open nominations. Built on a DataSource, or on a transaction's EntityManager
 * (`new CampaignProjectionRepository(m)`).
 */
export class CampaignProjectionRepository {
  constructor(private readonly db: DataSource | EntityManager) {}

  /** Runs `fn` in a transaction, with a repository bound to it. */
  transaction<T>(fn: (repo: CampaignProjectionRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((m) => fn(new CampaignProjectionRepository(m)));
  }

  /**
   * The campaign's active district-level units, by name, each with whether it has submitted at a unit
   * stage: any registration, a district recognition, a proposal.
   */
  unitSubmissions(campaignId: string, stage: UnitStage): Promise<UnitSubmissionRow[]> {
    return this.db.query(
      `SELECT u.id, u.name,
            EXISTS (SELECT 1 FROM nominations n
                     WHERE n.campaign_id = c.id AND n.district_unit_id = u.id AND ${funnelCondition(UNIT_STAGE_STEP[stage], 'n')}) AS submitted
       FROM campaigns c JOIN units u ON u.parent_id = c.province_unit_id AND u.level = 'district' AND u.active
      WHERE c.id = $1
      ORDER BY u.name`,
      [campaignId],
    );
  }

  /** The step's audit event, keyed by (workflow_id, seq); false when it was recorded before. */
  async insertEvent(s: CampaignStep, details: CampaignEventDetails): Promise<boolean> {
    const inserted: { id: string }[] = await this.db.query(
      `INSERT INTO campaign_events (campaign_id, workflow_id, seq, action, actor_type, actor_user_id, actor_name,
                                      stage, details, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (workflow_id, seq) DO NOTHING
         RETURNING id`,
      [
        s.campaignId,
        s.workflowId,
        s.seq,
        s.action,
        s.actor ? 'user' : 'system',
        s.actor?.userId ?? null,
        s.actor?.displayName ?? SYSTEM_ACTOR_NAME,
        s.stage ?? null,
        JSON.stringify(details),
        s.occurredAt,
      ],
    );
    return inserted.length > 0;
  }

  /** The details a step recorded before. */
  async eventDetails(workflowId: string, seq: number): Promise<CampaignEventDetails> {
    const [previous]: { details: CampaignEventDetails }[] = await this.db.query(
      `SELECT details FROM campaign_events WHERE workflow_id = $1 AND seq = $2`,
      [workflowId, seq],
    );
    return previous.details;
  }

  async setCalendar(campaignId: string, calendar: NonNullable<CampaignStep['calendar']>): Promise<void> {
    await this.db.query(`UPDATE campaigns SET calendar = $2 WHERE id = $1`, [
      campaignId,
      JSON.stringify(calendar),
    ]);
  }

  /** Marks the round closed, once. */
  async closeRound(campaignId: string, at: string): Promise<void> {
    await this.db.query(`UPDATE campaigns SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL`, [
      campaignId,
      at,
    ]);
  }

  async provinceUnitId(campaignId: string): Promise<string> {
    const province: { province_unit_id: string }[] = await this.db.query(
      `SELECT province_unit_id FROM campaigns WHERE id = $1`,
      [campaignId],
    );
    return province[0].province_unit_id;
  }

  /** One page of the campaign's open nominations' workflow ids, after `after` (keyset paging). */
  async openNominationWorkflowIds(
    campaignId: string,
    after: string | null,
    pageSize: number,
  ): Promise<string[]> {
    const rows: { workflow_id: string }[] = await this.db.query(
      `SELECT workflow_id FROM nominations
        WHERE campaign_id = $1 AND stage <> 'closed' AND ($2::text IS NULL OR workflow_id > $2)
        ORDER BY workflow_id LIMIT $3`,
      [campaignId, after, pageSize],
    );
    return rows.map((r) => r.workflow_id);
  }
}
