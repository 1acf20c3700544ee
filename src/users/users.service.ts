import {
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as bcrypt from 'bcryptjs';
import { isEmail } from 'class-validator';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { LoginLimiter } from '../auth/login-limiter';
import { ROLES, type Role } from '../domain/nomination';
import { jsonLog } from '../logging/logger';
import { TasksService } from '../tasks/tasks.service';
import type { UnitLevel } from '../units/unit.entity';
import { isWithin } from '../units/scope.repository';
import {
  type CreateUserDto,
  DISPLAY_NAME_MAX,
  EMAIL_MAX,
  type ListUsersQuery,
  PASSWORD_MAX,
  PASSWORD_MIN,
  type UpdatedUserDto,
  type UpdateUserDto,
  USERNAME_PATTERN,
  type UserDto,
  toUserDto,
} from './user.dto';
import { type UserRow, UsersRepository } from './users.repository';
import { may, scopeOf } from '../domain/access-policy';

const BCRYPT_COST = 10;
const LIST_LIMIT = 200;
const UNIQUE_USERNAME = 'uq_users_username';

/** The unit levels each role may belong to. */
const ROLE_LEVELS: Record<Role, UnitLevel[]> = {
  provincial_reviewer: ['province'],
  district_reviewer: ['district'],
  submitter: ['district', 'grassroots'],
  admin: ['province', 'district'],
};

interface Problem {
  field: string;
  reason: string;
}

/**
 * User accounts. Administrators manage the users of their own unit and the units under it (anything
 * outside is answered as if it did not exist); everyone may change their own name, email and password.
 */
@Injectable()
export class UsersService {
  private readonly repo: UsersRepository;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tasks: TasksService,
    private readonly limiter: LoginLimiter,
  ) {
    this.repo = new UsersRepository(dataSource);
  }

  async create(actor: CurrentUser, dto: CreateUserDto): Promise<UserDto> {
    const problems: Problem[] = [];
    const username = checkUsername(dto.username, problems);
    const password = checkPassword(dto.password, problems, 'is required');
    const displayName = checkDisplayName(dto.displayName, problems);
    const email = checkEmail(dto.email, problems);
    const role = dto.role;
    if (role === undefined || role === null) problems.push({ field: 'role', reason: 'is required' });
    else if (!ROLES.includes(role)) {
      problems.push({ field: 'role', reason: `must be one of ${ROLES.join(', ')}` });
    }
    if (dto.unitId === undefined || dto.unitId === null) {
      problems.push({ field: 'unitId', reason: 'is required' });
    }
    // Hashed before the transaction, so the unit lock below is not held for the hashing.
    const hash = problems.length ? undefined : await bcrypt.hash(password!, BCRYPT_COST);

    const row = await this.repo.transaction(async (m) => {
      if (dto.unitId) await this.checkUnit(m, actor, dto.unitId, role, problems);
      if (problems.length) throw unprocessable(problems);
      if (await m.usernameTaken(username!)) throw usernameTaken();
      const created = await m
        .insert({
          username: username!,
          passwordHash: hash!,
          displayName: displayName!,
          role: role!,
          unitId: dto.unitId,
          email: email ?? null,
        })
        .catch((err: unknown) => {
          // Another request took the name between the check and the insert.
          const e = err as { code?: string; constraint?: string };
          if (e.code === '23505' && e.constraint === UNIQUE_USERNAME) throw usernameTaken();
          throw err;
        });
      return created;
    });
    jsonLog('info', 'user created', {
      component: 'users',
      userId: row.id,
      role: row.role,
      unitId: row.unit_id,
      actorId: actor.id,
    });
    return toUserDto(row);
  }

  /** The users whose unit is within the administrator's, filtered, sorted by display name. */
  async list(actor: CurrentUser, query: ListUsersQuery): Promise<UserDto[]> {
    const q = query.q?.trim().normalize('NFC') || null;
    const rows = await this.repo.list({
      scopeRootUnitId: actor.unitId,
      unitId: query.unitId ?? null,
      role: query.role ?? null,
      active: query.active ?? null,
      q,
      limit: LIST_LIMIT,
    });
    return rows.map(toUserDto);
  }

  /** One user: an administrator sees those within their unit, anyone sees themself. */
  async get(actor: CurrentUser, id: string): Promise<UserDto> {
    if (actor.id !== id && scopeOf(actor, 'user.view') !== 'unit_subtree') {
      throw new ForbiddenException('only an admin may view other users');
    }
    return toUserDto(await this.load(this.repo, actor, id));
  }

  /**
   * Changes a user. An administrator may change anyone within their unit (deactivating them releases the
   * tasks they had claimed); everyone may change their own display name, email and password (the latter
   * with their current password).
   */
  async update(
    actor: CurrentUser,
    id: string,
    dto: UpdateUserDto,
    address: string | undefined,
  ): Promise<UpdatedUserDto> {
    const self = actor.id === id;
    if (!self && scopeOf(actor, 'user.update') !== 'unit_subtree')
      throw new ForbiddenException('only an admin may change another user');
    if (self && dto.active !== undefined && !may(actor, 'user.activate')) {
      throw new ForbiddenException('only an admin may activate or deactivate a user');
    }
    if (self && dto.active === false) throw new ConflictException('an admin may not deactivate themself');

    const problems: Problem[] = [];
    const displayName =
      dto.displayName !== undefined ? checkDisplayName(dto.displayName, problems) : undefined;
    const email = dto.email !== undefined ? checkEmail(dto.email, problems) : undefined;
    const password =
      dto.password !== undefined ? checkPassword(dto.password, problems, 'must be a string') : undefined;
    if (self && password !== undefined && !dto.currentPassword) {
      problems.push({ field: 'currentPassword', reason: 'is required to change your own password' });
    }
    if (!self && dto.currentPassword !== undefined) {
      problems.push({ field: 'currentPassword', reason: "is only for changing one's own password" });
    }
    if (problems.length) throw unprocessable(problems);
    if (self && password !== undefined) await this.checkCurrentPassword(actor, dto.currentPassword!, address);
    const hash = password !== undefined ? await bcrypt.hash(password, BCRYPT_COST) : undefined;

    const row = await this.repo.transaction(async (m) => {
      const user = await this.load(m, actor, id, true);
      if (dto.active === true && !user.active) {
        const unit = await m.unitActiveForShare(user.unit_id);
        if (!unit.active) {
          throw new ConflictException(`the user's unit "${unit.name}" is deactivated; reactivate it first`);
        }
      }
      const changed = await m.update(id, {
        displayName: displayName ?? null,
        setEmail: email !== undefined,
        email: email ?? null,
        passwordHash: hash ?? null,
        active: dto.active ?? null,
      });
      return changed;
    });
    jsonLog('info', 'user updated', {
      component: 'users',
      userId: id,
      actorId: actor.id,
      changed: Object.entries(dto)
        .filter(([k, v]) => v !== undefined && k !== 'currentPassword' && k !== 'password')
        .map(([k]) => k),
      passwordChanged: password !== undefined,
    });
    if (dto.active !== false) return toUserDto(row);

    // After the commit: the user is locked out first (the guard reloads them on every request), then
    // their claimed tasks go back to the pool. A retried deactivation releases whatever is still held.
    const releasedTasks = await this.tasks.releaseClaimsOf(actor, id, 'user deactivated');
    jsonLog('info', 'user deactivated', { component: 'users', userId: id, actorId: actor.id, releasedTasks });
    return { ...toUserDto(row), releasedTasks };
  }

  /** The user, if the actor may see them: themself, or (an admin) anyone within their unit; else 404. */
  private async load(m: UsersRepository, actor: CurrentUser, id: string, lock = false): Promise<UserRow> {
    const user = await m.byId(id, lock);
    const visible = user && (user.id === actor.id || (await isWithin(m.manager, user.unit_id, actor.unitId)));
    if (!visible) throw new NotFoundException('user not found');
    return user;
  }

  /**
   * The unit must exist within the administrator's unit (one outside is answered like an unknown one, so
   * ids do not leak), be active (locked so it stays so until the insert commits) and fit the role.
   */
  private async checkUnit(
    m: UsersRepository,
    actor: CurrentUser,
    unitId: string,
    role: Role | undefined,
    problems: Problem[],
  ): Promise<void> {
    const unit = await m.unitForShare(unitId);
    if (!unit || !(await isWithin(m.manager, unitId, actor.unitId))) {
      problems.push({ field: 'unitId', reason: 'no unit with this id' });
      return;
    }
    if (!unit.active) problems.push({ field: 'unitId', reason: `the unit "${unit.name}" is deactivated` });
    if (role && ROLES.includes(role) && !ROLE_LEVELS[role].includes(unit.level)) {
      problems.push({
        field: 'role',
        reason:
          `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} belongs to a ${ROLE_LEVELS[role].join(' or ')} unit; ` +
          `"${unit.name}" is a ${unit.level} unit`,
      });
    }
  }

  /** Throttled like a sign-in: a wrong current password counts as a failed sign-in for the username. */
  private async checkCurrentPassword(
    actor: CurrentUser,
    currentPassword: string,
    address: string | undefined,
  ): Promise<void> {
    await this.limiter.admit(actor.username, address);
    const passwordHash = await this.repo.passwordHash(actor.id);
    if (!passwordHash || !(await bcrypt.compare(currentPassword, passwordHash))) {
      throw unprocessable([{ field: 'currentPassword', reason: 'is not your current password' }]);
    }
    await this.limiter.succeeded(actor.username);
  }
}

/** Trimmed and lower-cased; 3–64 of [a-z0-9._-]. */
function checkUsername(raw: unknown, problems: Problem[]): string | undefined {
  if (raw === undefined || raw === null) {
    problems.push({ field: 'username', reason: 'is required' });
    return undefined;
  }
  const username = String(raw).trim().toLowerCase();
  if (username.length < 3 || username.length > 64) {
    problems.push({ field: 'username', reason: 'must be 3 to 64 characters' });
  } else if (!USERNAME_PATTERN.test(username)) {
    problems.push({
      field: 'username',
      reason: 'may contain only letters a-z, digits and the characters . _ - (no spaces or diacritics)',
    });
  }
  return username;
}

function checkPassword(raw: unknown, problems: Problem[], whenMissing: string): string | undefined {
  if (typeof raw !== 'string') {
    problems.push({ field: 'password', reason: whenMissing });
    return undefined;
  }
  const length = [...raw].length;
  if (length < PASSWORD_MIN) {
    problems.push({ field: 'password', reason: `must be at least ${PASSWORD_MIN} characters` });
  } else if (length > PASSWORD_MAX) {
    problems.push({ field: 'password', reason: `must be at most ${PASSWORD_MAX} characters` });
  }
  return raw;
}

/** Trimmed and NFC (the DTO did both), 1–200 characters. */
function checkDisplayName(raw: unknown, problems: Problem[]): string | undefined {
  if (raw === undefined) {
    problems.push({ field: 'displayName', reason: 'is required' });
    return undefined;
  }
  const name = typeof raw === 'string' ? raw.trim().normalize('NFC') : '';
  if (!name) problems.push({ field: 'displayName', reason: 'must not be empty' });
  else if ([...name].length > DISPLAY_NAME_MAX) {
    problems.push({ field: 'displayName', reason: `must be at most ${DISPLAY_NAME_MAX} characters` });
  }
  return name;
}

/** null or an empty string: no address. */
function checkEmail(raw: unknown, problems: Problem[]): string | null | undefined {
  if (raw === undefined) return undefined;
  const email = typeof raw === 'string' ? raw.trim() : '';
  if (!email) return null;
  if (email.length > EMAIL_MAX) {
    problems.push({ field: 'email', reason: `must be at most ${EMAIL_MAX} characters` });
  } else if (!isEmail(email)) {
    problems.push({ field: 'email', reason: 'must be an email address' });
  }
  return email;
}

function unprocessable(problems: Problem[]): UnprocessableEntityException {
  return new UnprocessableEntityException({
    message: problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
    details: problems,
  });
}

function usernameTaken(): ConflictException {
  return new ConflictException('username: already taken');
}
