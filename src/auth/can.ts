import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Action, may, POLICY } from '../domain/access-policy';
import type { AuthenticatedRequest, CurrentUser } from './current-user';

const CAN = 'can';

/**
 * The route's action in the access policy (src/domain/access-policy.ts): a caller whose role may not do it
 * anywhere is refused with 403 before the body is read. Whether the target lies within the caller's scope
 * is the service's to ask, with the same policy (`may(user, action, target)`), since it needs the target.
 * `what` finishes "only an admin may …".
 */
export const Can = (action: Action, what: string) => SetMetadata(CAN, { action, what });

/** The 403 for a caller outside the action's row, naming the roles that may ("only an admin may …"). */
export function forbidden(action: Action, what: string): ForbiddenException {
  const roles = Object.keys(POLICY[action]).map((r) => {
    const name = r.replace(/_/g, ' ');
    return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
  });
  return new ForbiddenException(`only ${roles.join(' or ')} may ${what}`);
}

/** Throws the 403 unless the user's role may do the action at all. */
export function assertMay(user: CurrentUser, action: Action, what: string): void {
  if (!may(user, action)) throw forbidden(action, what);
}

/** Global guard, after the auth guard: enforces `@Can` on the routes that carry it. */
@Injectable()
export class PolicyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const rule = this.reflector.getAllAndOverride<{ action: Action; what: string } | undefined>(CAN, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!rule) return true;
    const user = ctx.switchToHttp().getRequest<AuthenticatedRequest>().user;
    // A public route has no user; @Can on one would be a mistake, refused rather than let through.
    if (!user) throw forbidden(rule.action, rule.what);
    assertMay(user, rule.action, rule.what);
    return true;
  }
}
