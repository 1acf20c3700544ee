import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { unprocessable } from '../common/http-errors';
import { jsonLog } from '../logging/json-log';
import { SCOPE_CTE } from '../units/scope';
import type { AbsenceDto, CreateAbsenceDto } from './absence.dto';

const MAX_DAYS = 366;

interface UserRow {
  id: string;
  role: string;
  unit_id: string;
  active: boolean;
}

/**
 * Absence cover: while a reviewer is away, a named colleague of the same unit and role sees the tasks the
 * reviewer holds and may decide them; each such decision is recorded as the colleague's, on behalf of the
 * reviewer. A reviewer names their own cover; an administrator may name it for anyone in their subtree.
 */
@Injectable()
export class AbsencesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
      acting.unit_id !== absent.unit_id ||
      acting.role !== absent.role
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
    const [row]: { id: string }[] = await this.dataSource.query(
      `INSERT INTO absences (user_id, acting_user_id, starts_at, ends_at, created_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [absentId, dto.actingUserId, dto.startsAt, dto.endsAt, user.id],
    );
    jsonLog('info', 'absence cover named', {
      component: 'absences',
      absenceId: row.id,
      userId: absentId,
      actingUserId: dto.actingUserId,
      createdBy: user.id,
    });
    return (await this.list(user, row.id))[0];
  }

  /** The caller's current and coming absences and covers; an administrator's: all in their subtree. */
  async list(user: CurrentUser, id?: string): Promise<AbsenceDto[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `${SCOPE_CTE}
       SELECT a.id, a.user_id, absent.display_name AS user_name, a.acting_user_id,
              acting.display_name AS acting_user_name, a.starts_at, a.ends_at
         FROM absences a JOIN users absent ON absent.id = a.user_id JOIN users acting ON acting.id = a.acting_user_id
        WHERE a.ends_at > now() AND ($3::uuid IS NULL OR a.id = $3)
          AND (a.user_id = $2 OR a.acting_user_id = $2
               OR ($4 AND absent.unit_id IN (SELECT id FROM scope)))
        ORDER BY a.starts_at, a.id`,
      [user.unitId, user.id, id ?? null, user.role === 'admin'],
    );
    return rows.map((r) => ({
      id: r.id as string,
      userId: r.user_id as string,
      userName: r.user_name as string,
      actingUserId: r.acting_user_id as string,
      actingUserName: r.acting_user_name as string,
      startsAt: r.starts_at as Date,
      endsAt: r.ends_at as Date,
    }));
  }

  /** Ends a cover early: the absent reviewer, or an administrator over them. */
  async remove(user: CurrentUser, id: string): Promise<void> {
    const [mine] = await this.list(user, id);
    if (!mine || (mine.userId !== user.id && user.role !== 'admin'))
      throw new NotFoundException('absence not found');
    await this.dataSource.query(`DELETE FROM absences WHERE id = $1`, [id]);
    jsonLog('info', 'absence cover ended', { component: 'absences', absenceId: id, userId: user.id });
  }

  private async user(id: string): Promise<UserRow | undefined> {
    const [u]: UserRow[] = await this.dataSource.query(
      `SELECT id, role, unit_id, active FROM users WHERE id = $1`,
      [id],
    );
    return u;
  }

  /** Someone else's absence: only an administrator, for a user within their subtree. */
  private async userWithin(user: CurrentUser, id: string): Promise<UserRow | undefined> {
    if (user.role !== 'admin') return undefined;
    const [u]: UserRow[] = await this.dataSource.query(
      `${SCOPE_CTE} SELECT id, role, unit_id, active FROM users WHERE id = $2 AND unit_id IN (SELECT id FROM scope)`,
      [user.unitId, id],
    );
    return u;
  }
}
