import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { unprocessable } from '../common/http-errors';
import { jsonLog } from '../logging/logger';
import { type AbsenceDto, type CreateAbsenceDto, toAbsenceDto } from './absence.dto';
import { type AbsenceUserRow, AbsencesRepository } from './absences.repository';
import { may, mayCoverFor, scopeOf } from '../domain/access-policy';

const MAX_DAYS = 366;

/**
 * Absence cover: while a reviewer is away, a named colleague of the same unit and role sees the tasks the
 * reviewer holds and may decide them; each such decision is recorded as the colleague's, on behalf of the
 * reviewer. A reviewer names their own cover; an administrator may name it for anyone in their subtree.
 */
@Injectable()
export class AbsencesService {
  private readonly repo: AbsencesRepository;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.repo = new AbsencesRepository(dataSource);
  }

  async create(user: CurrentUser, dto: CreateAbsenceDto): Promise<AbsenceDto> {
    const absentId = dto.userId ?? user.id;
    const absent = absentId === user.id ? await this.user(absentId) : await this.userWithin(user, absentId);
    if (!absent) throw unprocessable([{ field: 'userId', reason: 'no user with this id' }]);
    const problems: { field: string; reason: string }[] = [];
    const acting = await this.user(dto.actingUserId);
    if (dto.actingUserId === absentId) {
      problems.push({ field: 'actingUserId', reason: 'must be someone other than the absent reviewer' });
    } else if (
      !acting ||
      !acting.active ||
      !mayCoverFor(
        { role: acting.role, unitId: acting.unit_id },
        { role: absent.role, unitId: absent.unit_id },
      )
    ) {
      problems.push({
        field: 'actingUserId',
        reason: 'must be an active colleague of the same unit and role',
      });
    }
    const starts = Date.parse(dto.startsAt);
    const ends = Date.parse(dto.endsAt);
    if (!(ends > starts)) problems.push({ field: 'endsAt', reason: 'must be after startsAt' });
    else if (ends <= Date.now()) problems.push({ field: 'endsAt', reason: 'must be in the future' });
    else if (ends - starts > MAX_DAYS * 86_400_000) {
      problems.push({ field: 'endsAt', reason: `must be at most ${MAX_DAYS} days after startsAt` });
    }
    if (problems.length) throw unprocessable(problems);
    const absenceId = await this.repo.insert({
      userId: absentId,
      actingUserId: dto.actingUserId,
      startsAt: dto.startsAt,
      endsAt: dto.endsAt,
      createdBy: user.id,
    });
    jsonLog('info', 'absence cover named', {
      component: 'absences',
      absenceId,
      userId: absentId,
      actingUserId: dto.actingUserId,
      createdBy: user.id,
    });
    return (await this.list(user, absenceId))[0];
  }

  /** The caller's current and coming absences and covers; an administrator's: all in their subtree. */
  async list(user: CurrentUser, id?: string): Promise<AbsenceDto[]> {
    const rows = await this.repo.list({
      unitId: user.unitId,
      userId: user.id,
      id: id ?? null,
      subtree: scopeOf(user, 'absence.view') === 'unit_subtree',
    });
    return rows.map(toAbsenceDto);
  }

  /** Ends a cover early: the absent reviewer, or an administrator over them. */
  async remove(user: CurrentUser, id: string): Promise<void> {
    const [mine] = await this.list(user, id);
    if (!mine || !may(user, 'absence.delete', { userId: mine.userId }))
      throw new NotFoundException('absence not found');
    await this.repo.delete(id);
    jsonLog('info', 'absence cover ended', { component: 'absences', absenceId: id, userId: user.id });
  }

  private async user(id: string): Promise<AbsenceUserRow | undefined> {
    return this.repo.user(id);
  }

  /** Someone else's absence: only an administrator, for a user within their subtree. */
  private async userWithin(user: CurrentUser, id: string): Promise<AbsenceUserRow | undefined> {
    if (scopeOf(user, 'absence.create') !== 'unit_subtree') return undefined;
    return this.repo.userWithin(user.unitId, id);
  }
}
