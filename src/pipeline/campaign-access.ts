import { ForbiddenException, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import type { Role } from '../domain/nomination';
import { isWithin } from '../units/scope';
import { PipelineRepository } from './pipeline.repository';

/** The campaign as the pipeline, the report and the audit see it. */
export interface CampaignRef {
  id: string;
  name: string;
  year: number;
  provinceUnitId: string;
  provinceName: string;
  closedAt: Date | null;
}

/** Who watches a whole campaign: its province's administrators and provincial reviewers. */
export const PROVINCIAL_ROLES: readonly Role[] = ['admin', 'provincial_reviewer'];

/**
 * A campaign the caller sees (from inside its province; else 404 as if it did not exist), when the caller
 * sits at the province itself with a provincial role (else 403) — the rule of `GET /campaigns/:id/units`.
 */
export async function provincialCampaign(
  m: EntityManager,
  user: CurrentUser,
  id: string,
  what: string,
): Promise<CampaignRef> {
  const campaign = await visibleCampaign(m, user, id);
  if (user.unitId !== campaign.provinceUnitId || !PROVINCIAL_ROLES.includes(user.role)) {
    throw new ForbiddenException(
      `only an admin or a provincial reviewer of the campaign's province may ${what}`,
    );
  }
  return campaign;
}

/** A campaign seen from anywhere inside its province; any other is answered as if it did not exist. */
export async function visibleCampaign(m: EntityManager, user: CurrentUser, id: string): Promise<CampaignRef> {
  const row = await new PipelineRepository(m).campaignRef(id);
  if (!row || !(await isWithin(m, user.unitId, row.province_unit_id))) {
    throw new NotFoundException('campaign not found');
  }
  return {
    id: row.id,
    name: row.name,
    year: row.year,
    provinceUnitId: row.province_unit_id,
    provinceName: row.province_name,
    closedAt: row.closed_at,
  };
}
