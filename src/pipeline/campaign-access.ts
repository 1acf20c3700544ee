import { ForbiddenException, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { may } from '../domain/access-policy';
import { isWithin } from '../units/scope.repository';
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

/**
 * A campaign the caller sees (from inside its province; else 404 as if it did not exist), when the access
 * policy lets the caller do `action` on it (else 403): for the pipeline, the report and the units' status,
 * an admin or a provincial reviewer sitting at the province itself.
 */
export async function provincialCampaign(
  m: EntityManager,
  user: CurrentUser,
  id: string,
  action: 'pipeline.view' | 'report.view' | 'campaign.watch',
  what: string,
): Promise<CampaignRef> {
  const campaign = await visibleCampaign(m, user, id);
  if (!may(user, action, { unitId: campaign.provinceUnitId })) {
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
