import {
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { isWithin } from './scope.repository';
import type { CurrentUser } from '../auth/current-user';
import { jsonLog } from '../logging/logger';
import {
  type CreateUnitDto,
  type ListUnitsQuery,
  toUnitDto,
  toUnitNodeDto,
  type UnitDto,
  type UnitNodeDto,
  type UpdateUnitDto,
} from './unit.dto';
import { UNIT_LEVELS, type UnitLevel } from './unit.entity';
import { type UnitRow, UnitsRepository } from './units.repository';

const NAME_MAX = 200;
const SEARCH_LIMIT = 100;
const UNIQUE_SIBLING_NAME = 'uq_units_parent_name';

/** Which level a unit's parent must have; a province has none. */
const PARENT_LEVEL: Record<UnitLevel, UnitLevel | null> = {
  province: null,
  district: 'province',
  grassroots: 'district',
};

interface Problem {
  field: string;
  reason: string;
}

/**
 * The organisation tree: read by everyone, changed by administrators. A unit that history refers to is
 * never deleted, only deactivated, and only once nothing is in flight under it.
 */
@Injectable()
export class UnitsService {
  private readonly repo: UnitsRepository;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.repo = new UnitsRepository(dataSource);
  }

  /** The tree (roots first, children sorted by name), or with `q` a flat list of matching units. */
  /** Only the caller's own unit and the units under it: the tree is rooted at the caller's unit. */
  async list(user: CurrentUser, query: ListUnitsQuery): Promise<UnitNodeDto[] | UnitDto[]> {
    return query.q !== undefined ? this.search(user, query) : this.tree(user, query);
  }

  private async tree(user: CurrentUser, query: ListUnitsQuery): Promise<UnitNodeDto[]> {
    const depth = query.level ? UNIT_LEVELS.indexOf(query.level) : UNIT_LEVELS.length - 1;
    const rows = await this.repo.subtree(
      user.unitId,
      query.includeInactive === true,
      UNIT_LEVELS.slice(0, depth + 1),
    );
    const nodes = new Map<string, UnitNodeDto>(rows.map((u) => [u.id, toUnitNodeDto(u)]));
    const roots: UnitNodeDto[] = [];
    for (const node of nodes.values()) {
      if (node.parentId === null || node.id === user.unitId) roots.push(node);
      // A unit whose parent is hidden is hidden with it.
      else nodes.get(node.parentId)?.children.push(node);
    }
    return roots;
  }

  /** Units whose name matches `q`, without regard to case or diacritics. */
  private async search(user: CurrentUser, query: ListUnitsQuery): Promise<UnitDto[]> {
    const q = (query.q ?? '').trim().normalize('NFC');
    const rows = await this.repo.search(
      user.unitId,
      q,
      query.level ?? null,
      query.includeInactive === true,
      SEARCH_LIMIT,
    );
    return this.withPaths(rows);
  }

  /** A unit outside the caller's subtree is answered as if it did not exist. */
  async getVisible(user: CurrentUser, id: string): Promise<UnitDto> {
    if (!(await isWithin(this.dataSource.manager, id, user.unitId)))
      throw new NotFoundException('unit not found');
    return this.get(id);
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<UnitDto> {
    const rows = await new UnitsRepository(manager).byId(id);
    if (!rows.length) throw new NotFoundException('unit not found');
    const [unit] = await this.withPaths(rows, manager);
    return unit;
  }

  async create(user: CurrentUser, dto: CreateUnitDto): Promise<UnitDto> {
    const problems: Problem[] = [];
    const name = checkName(dto.name, problems);
    const level = dto.level;
    const parentId = dto.parentId ?? null;
    if (level === undefined || level === null) problems.push({ field: 'level', reason: 'is required' });
    else if (!UNIT_LEVELS.includes(level)) {
      problems.push({ field: 'level', reason: `must be one of ${UNIT_LEVELS.join(', ')}` });
    }

    if (level === 'province' && !parentId) {
      throw new ForbiddenException(
        'a province comes with its own installation (ADMIN_USERNAME); it is not created inside another',
      );
    }
    if (parentId && !(await isWithin(this.dataSource.manager, parentId, user.unitId))) {
      problems.push({ field: 'parentId', reason: 'no unit with this id' });
    }
    const id = await this.repo.transaction(async (m) => {
      if (level && UNIT_LEVELS.includes(level) && !problems.some((p) => p.field === 'parentId')) {
        await this.checkParent(m, level, parentId, problems);
      }
      if (problems.length) throw unprocessable(problems);
      await this.checkSiblingName(m, parentId, name!);
      return m.insert(name!, level!, parentId).catch((err: unknown) => rethrowSiblingClash(err, name!));
    });
    jsonLog('info', 'unit created', { component: 'units', unitId: id, level, parentId, userId: user.id });
    return this.get(id);
  }

  /** Renames, deactivates or reactivates a unit; both changes at once are applied together or not at all. */
  async update(user: CurrentUser, id: string, dto: UpdateUnitDto): Promise<UnitDto> {
    await this.getVisible(user, id);
    const problems: Problem[] = [];
    const name = dto.name !== undefined ? checkName(dto.name, problems) : undefined;
    if (problems.length) throw unprocessable(problems);

    await this.repo.transaction(async (m) => {
      // Rows are locked parent before child, as everywhere here, so two changes cannot deadlock.
      if (dto.active === true) await m.lockParentForShare(id);
      // Locked: a unit being created under it, or a parallel change, waits for this one.
      const unit = await m.lockForUpdate(id);
      if (!unit) throw new NotFoundException('unit not found');

      if (name !== undefined && name !== unit.name) {
        await this.checkSiblingName(m, unit.parent_id, name, unit.id);
        await m.rename(id, name).catch((err: unknown) => rethrowSiblingClash(err, name));
      }
      if (dto.active === false && unit.active) await this.deactivate(m, unit);
      if (dto.active === true && !unit.active) await this.reactivate(m, unit);
    });
    jsonLog('info', 'unit updated', {
      component: 'units',
      unitId: id,
      renamed: name !== undefined,
      active: dto.active,
      userId: user.id,
    });
    return this.get(id);
  }

  /**
   * Deletes a unit nothing refers to (a unit created by mistake). A unit with history is deactivated
   * instead, so what happened under it keeps its name.
   */
  async remove(user: CurrentUser, id: string): Promise<void> {
    await this.getVisible(user, id);
    await this.repo.transaction(async (m) => {
      const unit = await m.lockNameForUpdate(id);
      if (!unit) throw new NotFoundException('unit not found');
      const refs = await m.references(id);
      const referrers = [
        count(refs.child_units, 'child unit'),
        refs.nominations
          ? `${count(refs.nominations, 'nomination')}${refs.open_nominations ? ` (${refs.open_nominations} open)` : ''}`
          : '',
        count(refs.users, 'user'),
        count(refs.campaigns, 'campaign'),
        count(refs.tasks, 'task'),
        count(refs.audit_events, 'audit event'),
        count(refs.notifications, 'notification'),
      ].filter(Boolean);
      if (referrers.length) {
        const instead = refs.open_nominations
          ? 'it can be deactivated instead once its open nominations have closed'
          : 'deactivate it instead';
        throw new ConflictException(
          `unit "${unit.name}" cannot be deleted: it is referred to by ${referrers.join(', ')}; ${instead}`,
        );
      }
      await m.delete(id).catch((err: unknown) => {
        // Something this check does not know about (yet) refers to the unit.
        if ((err as { code?: string }).code === '23503') {
          throw new ConflictException(
            `unit "${unit.name}" cannot be deleted: other records refer to it; deactivate it instead`,
          );
        }
        throw err;
      });
    });
    jsonLog('info', 'unit deleted', { component: 'units', unitId: id, userId: user.id });
  }

  /** Nothing may be in flight under a unit that is deactivated, and its children go first. */
  private async deactivate(m: UnitsRepository, unit: UnitRow): Promise<void> {
    const open = await m.openNominationsUnder(unit.id);
    // Locked like the unit: a child cannot be reactivated while its parent is being deactivated.
    const children = await m.activeChildrenForUpdate(unit.id);
    const reasons: string[] = [];
    if (open) {
      reasons.push(
        `unit has ${count(open, 'open nomination')}; they must close before it can be deactivated`,
      );
    }
    if (children.length) {
      reasons.push(`deactivate its ${count(children.length, 'active child unit')} first`);
    }
    if (reasons.length) throw new ConflictException(reasons.join('; '));
    await m.setActive(unit.id, false);
  }

  private async reactivate(m: UnitsRepository, unit: UnitRow): Promise<void> {
    if (unit.parent_id) {
      const parent = await m.nameAndActive(unit.parent_id);
      if (!parent.active) {
        throw new ConflictException(`its parent unit "${parent.name}" is deactivated; reactivate it first`);
      }
    }
    await m.setActive(unit.id, true);
  }

  /**
   * A province stands alone; a district-level unit sits under an active province, a grassroots unit under
   * an active district-level unit. The parent is locked so it cannot be deactivated meanwhile.
   */
  private async checkParent(
    m: UnitsRepository,
    level: UnitLevel,
    parentId: string | null,
    problems: Problem[],
  ): Promise<void> {
    const wanted = PARENT_LEVEL[level];
    const article = level === 'province' ? 'a' : level === 'district' ? 'a district' : 'a grassroots';
    if (wanted === null) {
      if (parentId !== null) problems.push({ field: 'parentId', reason: 'a province has no parent unit' });
      return;
    }
    if (parentId === null) {
      problems.push({ field: 'parentId', reason: `is required: ${article} unit sits under a ${wanted}` });
      return;
    }
    const parent = await m.parentForShare(parentId);
    if (!parent) problems.push({ field: 'parentId', reason: 'no unit with this id' });
    else if (parent.level !== wanted) {
      problems.push({ field: 'parentId', reason: `${article} unit's parent must be a ${wanted}` });
    } else if (!parent.active) {
      problems.push({ field: 'parentId', reason: `the parent unit "${parent.name}" is deactivated` });
    }
  }

  /** Two siblings may not share a name, ignoring case (the unique index says the same). */
  private async checkSiblingName(
    m: UnitsRepository,
    parentId: string | null,
    name: string,
    self?: string,
  ): Promise<void> {
    const clash = await m.siblingNamed(parentId, name, self ?? null);
    if (clash) {
      throw siblingClash(clash.name, clash.active ? '' : ' (deactivated: reactivate it instead)');
    }
  }

  /** Each unit with the names from its root down to it, in one recursive query. */
  private async withPaths(rows: UnitRow[], manager: EntityManager = this.dataSource.manager) {
    if (!rows.length) return [];
    const paths = await new UnitsRepository(manager).paths(rows.map((r) => r.id));
    const byId = new Map(paths.map((p) => [p.id, p.path]));
    return rows.map((u) => toUnitDto(u, byId.get(u.id) ?? [u.name]));
  }
}

/** The name as it will be stored: trimmed, NFC, 1–200 characters. */
function checkName(raw: unknown, problems: Problem[]): string | undefined {
  if (raw === undefined || raw === null) {
    problems.push({ field: 'name', reason: 'is required' });
    return undefined;
  }
  if (typeof raw !== 'string') {
    problems.push({ field: 'name', reason: 'must be a string' });
    return undefined;
  }
  const name = raw.trim().normalize('NFC');
  if (!name) problems.push({ field: 'name', reason: 'must not be empty' });
  else if ([...name].length > NAME_MAX) {
    problems.push({ field: 'name', reason: `must be at most ${NAME_MAX} characters` });
  }
  return name;
}

function unprocessable(problems: Problem[]): UnprocessableEntityException {
  return new UnprocessableEntityException({
    message: problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
    details: problems,
  });
}

function siblingClash(name: string, note = ''): ConflictException {
  return new ConflictException(`name: a unit named "${name}" already exists under this parent${note}`);
}

/** The unique index catches what the check before it could not see: a sibling created at the same time. */
function rethrowSiblingClash(err: unknown, name: string): never {
  const e = err as { code?: string; constraint?: string };
  if (e.code === '23505' && e.constraint === UNIQUE_SIBLING_NAME) throw siblingClash(name);
  throw err;
}

function count(n: number, noun: string): string {
  return n === 0 ? '' : `${n} ${noun}${n === 1 ? '' : 's'}`;
}
