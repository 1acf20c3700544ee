import {
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, PAGE_LIMIT_DEFAULT, pageOf, type Page } from '../common/page';
import { isWithin } from '../units/scope.repository';
import {
  type WorkflowHandle,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { Campaign } from '../campaigns/campaign.entity';
import { uuidFromName } from '../common/idempotency';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { registrationProblem } from '../domain/campaign';
import { nominationWorkflowId } from '../domain/nomination';
import { jsonLog } from '../logging/logger';
import type { nominationWorkflow } from '../../workflows/nomination.workflow';
import {
  extendDeadlineUpdate,
  registrationUpdate,
  resubmitUpdate,
  withdrawUpdate,
} from '../contracts/nomination.messages';
import { refusalToHttp } from '../temporal/update-errors';
import { TemporalCalls } from '../temporal/temporal-calls';
import { requestUpdateId } from '../temporal/update-ids';
import {
  type AuditEventDto,
  type CreateNominationDto,
  type ExtendDeadlineDto,
  type ListNominationsQuery,
  type ResubmitDto,
  toAuditEventDto,
  type WithdrawDto,
} from './nomination.dto';
import type { Nomination } from './nomination.entity';
import { NominationsRepository } from './nominations.repository';
import { isLatestStep, type RequestStep } from './recorded-request';
import { may } from '../domain/access-policy';

@Injectable()
export class NominationsService {
  private readonly repo: NominationsRepository;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: TemporalCalls,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.repo = new NominationsRepository(dataSource);
  }

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
    const campaign = await this.campaignFor(user, dto.campaignId);
    const districtUnitId = await this.registrationUnit(user, dto.unitId);
    const id = key ? uuidFromName(`${user.id}:${key}`) : randomUUID();
    const existing = key ? await this.repo.byId(id) : null;
    if (existing) return { nomination: existing, replayed: true };
    const closed = registrationProblem(campaign, Date.now());
    if (closed) throw new ConflictException(`campaignId: ${closed}`);
    await this.startRegistration(user, campaign, { ...dto, districtUnitId }, id);
    return { nomination: await this.get(user, id), replayed: false };
  }

  /** The campaign a caller may register into: one of their own province. Others are as unknown. */
  async campaignFor(user: CurrentUser, campaignId: string): Promise<Campaign> {
    const campaign = await this.repo.campaign(campaignId);
    if (!campaign || !(await isWithin(this.dataSource.manager, user.unitId, campaign.provinceUnitId))) {
      throw new UnprocessableEntityException('campaignId: no campaign with this id');
    }
    return campaign;
  }

  /**
   * The registering unit must be in the caller's subtree (others are answered as unknown), active, and a
   * district-level unit or a grassroots unit under one, whose district then reviews it. Returns that
   * district-level unit.
   */
  async registrationUnit(user: CurrentUser, unitId: string): Promise<string> {
    const refuse = (reason: string) => new UnprocessableEntityException(`unitId: ${reason}`);
    const inSubtree = await isWithin(this.dataSource.manager, unitId, user.unitId);
    if (!may(user, 'nomination.register', { inSubtree })) throw refuse('no unit with this id');
    const unit = (await this.repo.registrationUnit(unitId))!;
    if (!unit.active) throw refuse('the unit is deactivated');
    if (unit.level === 'province') {
      throw refuse('a province does not register models; a district-level or grassroots unit does');
    }
    return unit.district_id!;
  }

  /**
   * Starts the registration's workflow, which writes the nomination and its first task; the API writes
   * no process state itself, so a start Temporal refuses leaves nothing behind. Returns once the
   * registration is in the read model: `started` when this request started it, `joined` when it found
   * the workflow already running under this id (a repeated registration) and waited for it instead.
   */
  async startRegistration(
    user: CurrentUser,
    campaign: Campaign,
    dto: CreateNominationDto & { districtUnitId: string },
    id: string,
  ): Promise<'started' | 'joined'> {
    const workflowId = nominationWorkflowId(id);
    const register = (workflowIdConflictPolicy: 'FAIL' | 'USE_EXISTING') =>
      this.temporal.run('update', (client) =>
        client.workflow.executeUpdateWithStart(registrationUpdate, {
          startWorkflowOperation: new WithStartWorkflowOperation<typeof nominationWorkflow>(
            'nominationWorkflow',
            {
              workflowId,
              taskQueue: this.config.temporal.taskQueue,
              args: [
                {
                  nominationId: id,
                  ...dto,
                  provinceUnitId: campaign.provinceUnitId,
                  calendar: campaign.calendar,
                  submittedBy: actorOf(user),
                },
              ],
              workflowIdConflictPolicy,
              // A closed run is never restarted; one that failed wrote nothing (its registration was
              // refused for its data): it may start again.
              workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
            },
          ),
          // Temporal answers an Update id it already knows before it looks at the conflict policy: the
          // attempt to start carries an id of its own, so a request racing the one that started the
          // workflow is told so (ALREADY_EXISTS) instead of sharing its answer. Joining then attaches to
          // the registration, which only waits for the workflow to record it.
          updateId:
            workflowIdConflictPolicy === 'FAIL' ? `registration:${id}:${randomUUID()}` : `registration:${id}`,
        }),
      );
    let outcome: 'started' | 'joined' = 'started';
    try {
      // Only the request that starts the workflow is told `started` (an import counts what it created);
      // identical requests racing it join the one running workflow.
      await register('FAIL').catch(async (err: unknown) => {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        outcome = 'joined';
        await register('USE_EXISTING');
      });
    } catch (err) {
      throw refusalToHttp(err);
    }
    jsonLog('info', outcome === 'started' ? 'nomination registered' : 'nomination registration joined', {
      component: 'nominations',
      nominationId: id,
      workflowId,
      userId: user.id,
    });
    return outcome;
  }

  /** The submitting unit (or an admin) withdraws the nomination; the workflow judges and closes it. */
  async withdraw(user: CurrentUser, id: string, dto: WithdrawDto): Promise<Nomination> {
    return this.ask(
      user,
      id,
      'withdrawn',
      (handle, updateId) =>
        handle.executeUpdate(withdrawUpdate, {
          args: [{ reason: dto.reason, actor: actorOf(user) }],
          updateId: updateId('withdraw', dto),
        }),
      { action: 'withdrawn', comment: dto.reason },
    );
  }

  /** An administrator cancels the nomination, with a reason; the outcome is `withdrawn`, the audit says `cancelled`. */
  async cancel(user: CurrentUser, id: string, dto: WithdrawDto): Promise<Nomination> {
    await this.adminOverOpenTask(user, id, 'nomination.cancel', 'cancel this nomination');
    return this.ask(
      user,
      id,
      'cancelled',
      (handle, updateId) =>
        handle.executeUpdate(withdrawUpdate, {
          args: [{ reason: dto.reason, actor: actorOf(user), cancel: true }],
          updateId: updateId('cancel', dto),
        }),
      { action: 'cancelled', comment: dto.reason },
    );
  }

  /** An administrator gives this nomination's open task new dates (it keeps them through calendar changes). */
  async extendDeadline(user: CurrentUser, id: string, dto: ExtendDeadlineDto): Promise<Nomination> {
    await this.adminOverOpenTask(user, id, 'nomination.extend', 'extend its deadline');
    return this.ask(user, id, 'deadline extended', (handle, updateId) =>
      handle.executeUpdate(extendDeadlineUpdate, {
        args: [{ ...dto, actor: actorOf(user) }],
        updateId: updateId('extend', dto),
      }),
    );
  }

  /**
   * Administrators act on a nomination where its current work lies: a district's admin on its district's
   * stages, the province's on all. (Visibility is checked first: another unit's nomination is a 404.)
   */
  private async adminOverOpenTask(
    user: CurrentUser,
    id: string,
    action: 'nomination.cancel' | 'nomination.extend',
    what: string,
  ): Promise<void> {
    await this.get(user, id);
    const task = await this.repo.openTaskUnit(id);
    const over = task && (await isWithin(this.dataSource.manager, task.assignee_unit_id, user.unitId));
    if (!may(user, action) || (task && !may(user, action, { inSubtree: over }))) {
      throw new ForbiddenException(`only an admin of the unit the nomination waits for may ${what}`);
    }
  }

  /** After a revision request: the changed fields go back to the same stage with a fresh task. */
  async resubmit(user: CurrentUser, id: string, dto: ResubmitDto): Promise<Nomination> {
    const { comment, ...changes } = dto;
    return this.ask(
      user,
      id,
      'resubmitted',
      (handle, updateId) =>
        handle.executeUpdate(resubmitUpdate, {
          args: [{ changes, comment, actor: actorOf(user) }],
          updateId: updateId('resubmit', dto),
        }),
      { action: 'resubmitted', comment: comment ?? null },
    );
  }

  /**
   * Sends one request to the nomination's workflow, under the API's deadline and with an Update id
   * derived from the request; a refusal becomes the HTTP answer that says why.
   */
  private async ask(
    user: CurrentUser,
    id: string,
    done: string,
    send: (handle: WorkflowHandle, updateId: (kind: string, body: unknown) => string) => Promise<unknown>,
    retried?: RequestStep,
  ) {
    const n = await this.get(user, id);
    const updateId = (kind: string, body: unknown) =>
      requestUpdateId(kind, n.workflowId, user.id, n.projectionSeq, body);
    // A request racing another one on the nomination (a decision closing it, say) is judged on what
    // that one left, not answered "busy".
    await this.temporal
      .run('request', (client) => send(client.workflow.getHandle(n.workflowId), updateId))
      .catch(async (err: unknown) => {
        const http = refusalToHttp(err);
        // A resent request that was applied before its answer was lost gets the first answer.
        if (!(retried && http.getStatus() === 409 && (await isLatestStep(this.repo, id, user.id, retried)))) {
          throw http;
        }
      });
    jsonLog('info', `nomination ${done}`, {
      component: 'nominations',
      nominationId: id,
      workflowId: n.workflowId,
    });
    return this.get(user, id);
  }

  /**
   * A nomination of a unit within the caller's subtree; any other is answered as if it did not exist,
   * so that ids of other units' nominations cannot be probed.
   */
  async get(user: CurrentUser, id: string): Promise<Nomination> {
    const n = await this.repo.within(user.unitId, id);
    if (!n) throw new NotFoundException('nomination not found');
    return n;
  }

  /**
   * The nominations registered in the caller's subtree, newest first, filtered and paged by a
   * (created_at, id) keyset cursor: a total order, so walking the pages shows every row exactly once
   * (rows registered meanwhile are newer and appear on a fresh first page instead).
   */
  async list(user: CurrentUser, q: ListNominationsQuery): Promise<Page<Nomination>> {
    const limit = q.limit ?? PAGE_LIMIT_DEFAULT;
    const rows = await this.repo.list({
      scopeRootUnitId: user.unitId,
      campaignId: q.campaignId,
      unitId: q.unitId,
      stage: q.stage,
      field: q.field,
      kind: q.kind,
      q: q.q,
      before: q.cursor ? decodeCursor(q.cursor) : undefined,
      limit: limit + 1,
    });
    return pageOf(
      rows,
      limit,
      (r) => [r.at, r.n.id],
      (r) => r.n,
    );
  }

  async history(user: CurrentUser, id: string): Promise<AuditEventDto[]> {
    await this.get(user, id);
    return (await this.repo.history(id)).map(toAuditEventDto);
  }
}

export function actorOf(user: CurrentUser) {
  return { userId: user.id, displayName: user.displayName, role: user.role, unitId: user.unitId };
}
