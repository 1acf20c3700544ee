import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { type Calendar, calendarProblems } from '../domain/calendar';
import { jsonLog } from '../logging/json-log';
import { calendarChangedSignal } from '../../workflows/messages';
import { Campaign } from './campaign.entity';

/** How many nominations are signalled at once when a calendar moves. */
const FAN_OUT_CONCURRENCY = 20;

@Injectable()
export class CampaignsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: Client,
  ) {}

  list(): Promise<Campaign[]> {
    return this.dataSource.getRepository(Campaign).find({ order: { year: 'DESC', createdAt: 'DESC' } });
  }

  async get(id: string): Promise<Campaign> {
    const campaign = await this.dataSource.getRepository(Campaign).findOneBy({ id });
    if (!campaign) throw new NotFoundException('campaign not found');
    return campaign;
  }

  /**
   * Moves the campaign's dates and tells every open nomination, whose workflow re-arms its timers and
   * audits the change. The new calendar is saved first, so a nomination registered meanwhile starts with
   * it; a signal that fails is retried by the client and logged if it still fails.
   */
  async changeCalendar(
    user: CurrentUser,
    id: string,
    calendar: Calendar,
  ): Promise<{ campaign: Campaign; signalled: number }> {
    const problems = calendarProblems(calendar);
    if (problems.length) {
      throw new UnprocessableEntityException({
        message: problems.map((p) => `${p.field} ${p.reason}`).join('; '),
        details: problems,
      });
    }
    const campaign = await this.get(id);
    campaign.calendar = calendar;
    await this.dataSource.getRepository(Campaign).save(campaign);
    const open: { workflow_id: string }[] = await this.dataSource.query(
      `SELECT workflow_id FROM nominations WHERE campaign_id = $1 AND stage <> 'closed'`,
      [id],
    );
    let signalled = 0;
    for (let i = 0; i < open.length; i += FAN_OUT_CONCURRENCY) {
      const batch = open.slice(i, i + FAN_OUT_CONCURRENCY);
      const results = await Promise.allSettled(
        batch.map(({ workflow_id }) =>
          this.temporal.workflow
            .getHandle(workflow_id)
            .signal(calendarChangedSignal, { calendar, changedBy: user.displayName }),
        ),
      );
      results.forEach((r, j) => {
        if (r.status === 'fulfilled') signalled++;
        else {
          jsonLog('warn', 'calendar change not delivered', {
            component: 'campaigns',
            campaignId: id,
            workflowId: batch[j].workflow_id,
            reason: String(r.reason),
          });
        }
      });
    }
    jsonLog('info', 'campaign calendar changed', {
      component: 'campaigns',
      campaignId: id,
      signalled,
      userId: user.id,
    });
    return { campaign, signalled };
  }
}
