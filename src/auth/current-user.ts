import { createParamDecorator, type ExecutionContext, ForbiddenException } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from '../domain/nomination';

/** The signed-in user, as the auth guard loaded it for this request. */
export interface CurrentUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  unitId: string;
}

export type AuthenticatedRequest = Request & { user?: CurrentUser };

export const AuthUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): CurrentUser =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().user!,
);

/** Refuses a caller who is not an administrator, whatever the resource (so nothing about it leaks). */
export function adminOnly(user: CurrentUser, what: string): void {
  if (user.role !== 'admin') throw new ForbiddenException(`only an admin may ${what}`);
}
