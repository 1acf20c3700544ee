import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
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
