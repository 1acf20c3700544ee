import {
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type WorkflowHandle, WithStartWorkflowOperation } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEvent } from '../audit/audit-event.entity';
import type { CurrentUser } from '../auth/current-user';
import { Campaign } from '../campaigns/campaign.entity';
import { uuidFromName } from '../common/idempotency';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { registrationProblem } from '../domain/campaign';
import { nominationWorkflowId } from '../domain/nomination';
import { jsonLog } from '../logging/json-log';
import type { nominationWorkflow } from '../../workflows/nomination.workflow';
import { registrationUpdate, resubmitUpdate, withdrawUpdate } from '../../workflows/messages';
import { refusalToHttp } from '../temporal/update-errors';
import type {
  AuditEventDto,
  CreateNominationDto,
  ListNominationsQuery,
  ResubmitDto,
  WithdrawDto,
} from './nomination.dto';
import { Nomination } from './nomination.entity';

@Injectable()
export class NominationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Registers a model by starting its workflow, which writes the nomination and its first task; the
   * API writes no process state itself, so a start Temporal refuses leaves nothing behind. The call
   * returns once the registration is in the read model. With an Idempotency-Key the id is derived from
   * (caller, key): a retry reaches the same workflow and returns the same nomination.
   */
  async create(
    user: CurrentUser,
    dto: CreateNominationDto,
    key?: string,
  ): Promise<{ nomination: Nomination; replayed: boolean }> {
    const campaign = await this.dataSource.getRepository(Campaign).findOneBy({ id: dto.campaignId });
    if (!campaign) throw new UnprocessableEntityException('campaignId: no campaign with this id');
    const districtUnitId = await this.registeringDistrict(campaign, dto.unitId);
    const id = key ? uuidFromName(`${user.id}:${key}`) : randomUUID();
    const workflowId = nominationWorkflowId(id);
    const existing = key ? await this.dataSource.getRepository(Nomination).findOneBy({ id }) : null;
    if (existing) return { nomination: existing, replayed: true };
    const closed = registrationProblem(campaign, Date.now());
    if (closed) throw new ConflictException(`campaignId: ${closed}`);

    const start = new WithStartWorkflowOperation<typeof nominationWorkflow>('nominationWorkflow', {
      workflowId,
      taskQueue: this.config.temporal.taskQueue,
      args: [
        {
          nominationId: id,
          ...dto,
          districtUnitId,
          provinceUnitId: campaign.provinceUnitId,
          calendar: campaign.calendar,
          submittedBy: actorOf(user),
        },
      ],
      // Two identical requests racing reach the one running workflow; a closed one is never restarted.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    await this.temporal.workflow.executeUpdateWithStart(registrationUpdate, {
      startWorkflowOperation: start,
    });
    jsonLog('info', 'nomination registered', {
      component: 'nominations',
      nominationId: id,
      workflowId,
      userId: user.id,
    });
    return { nomination: await this.get(id), replayed: false };
  }

  /**
   * A model is registered by a unit inside the campaign's province: a district-level unit, or a
   * grassroots unit under one, whose district reviews it. Returns that district-level unit.
   */
  private async registeringDistrict(campaign: Campaign, unitId: string): Promise<string> {
    const [unit]: {
      level: string;
      active: boolean;
      district_id: string | null;
      province_id: string | null;
    }[] = await this.dataSource.query(
      `SELECT u.level, u.active,
                CASE u.level WHEN 'district' THEN u.id WHEN 'grassroots' THEN u.parent_id END AS district_id,
                CASE u.level WHEN 'district' THEN u.parent_id WHEN 'grassroots' THEN d.parent_id END AS province_id
           FROM units u LEFT JOIN units d ON d.id = u.parent_id
          WHERE u.id = $1`,
      [unitId],
    );
    const refuse = (reason: string) => new UnprocessableEntityException(`unitId: ${reason}`);
    if (!unit) throw refuse('no unit with this id');
    if (!unit.active) throw refuse('the unit is deactivated');
    if (unit.level === 'province') {
      throw refuse('a province does not register models; a district-level or grassroots unit does');
    }
    if (unit.province_id !== campaign.provinceUnitId)
      throw refuse("the unit is not in the campaign's province");
    return unit.district_id!;
  }

  /** The submitting unit (or an admin) withdraws the nomination; the workflow judges and closes it. */
  async withdraw(user: CurrentUser, id: string, dto: WithdrawDto): Promise<Nomination> {
    return this.ask(id, 'withdrawn', (handle) =>
      handle.executeUpdate(withdrawUpdate, { args: [{ reason: dto.reason, actor: actorOf(user) }] }),
    );
  }

  /** After a revision request: the changed fields go back to the same stage with a fresh task. */
  async resubmit(user: CurrentUser, id: string, dto: ResubmitDto): Promise<Nomination> {
    const { comment, ...changes } = dto;
    return this.ask(id, 'resubmitted', (handle) =>
      handle.executeUpdate(resubmitUpdate, { args: [{ changes, comment, actor: actorOf(user) }] }),
    );
  }

  /** Sends one request to the nomination's workflow; a refusal becomes the HTTP answer that says why. */
  private async ask(id: string, done: string, send: (handle: WorkflowHandle) => Promise<unknown>) {
    const n = await this.get(id);
    await send(this.temporal.workflow.getHandle(n.workflowId)).catch((err: unknown) => {
      throw refusalToHttp(err);
    });
    jsonLog('info', `nomination ${done}`, {
      component: 'nominations',
      nominationId: id,
      workflowId: n.workflowId,
    });
    return this.get(id);
  }

  async get(id: string): Promise<Nomination> {
    const n = await this.dataSource.getRepository(Nomination).findOneBy({ id });
    if (!n) throw new NotFoundException('nomination not found');
    return n;
  }

  async list(q: ListNominationsQuery): Promise<Nomination[]> {
    const qb = this.dataSource.getRepository(Nomination).createQueryBuilder('n');
    if (q.campaignId) qb.andWhere('n.campaign_id = :campaignId', { campaignId: q.campaignId });
    if (q.unitId) qb.andWhere('n.unit_id = :unitId', { unitId: q.unitId });
    if (q.stage) qb.andWhere('n.stage = :stage', { stage: q.stage });
    if (q.field) qb.andWhere('n.field = :field', { field: q.field });
    if (q.kind) qb.andWhere('n.kind = :kind', { kind: q.kind });
    if (q.q) qb.andWhere('(n.title ILIKE :q OR n.nominee_name ILIKE :q)', { q: `%${escapeLike(q.q)}%` });
    return qb.orderBy('n.created_at', 'DESC').limit(200).getMany();
  }

  async history(id: string): Promise<AuditEventDto[]> {
    await this.get(id);
    const events = await this.dataSource
      .getRepository(AuditEvent)
      .find({ where: { nominationId: id }, order: { seq: 'ASC' } });
    return events.map((e) => ({
      seq: e.seq,
      action: e.action,
      actor: {
        type: e.actorType,
        userId: e.actorUserId,
        name: e.actorName,
        role: e.actorRole,
        unitId: e.actorUnitId,
      },
      stageBefore: e.stageBefore,
      stageAfter: e.stageAfter,
      outcome: e.outcome,
      taskId: e.taskId,
      decision: e.decision,
      comment: e.comment,
      score: e.score,
      occurredAt: e.occurredAt,
      workflowId: e.workflowId,
    }));
  }
}

export function actorOf(user: CurrentUser) {
  return { userId: user.id, displayName: user.displayName, role: user.role, unitId: user.unitId };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
