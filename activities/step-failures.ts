import { log } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { StepFailure } from '../src/contracts/projection';
import { StepFailuresRepository } from './step-failures.repository';

/** Records that a step could not be written (see StepFailuresRepository.record). */
export class StepFailureActivities {
  constructor(private readonly dataSource: DataSource) {}

  recordStepFailure = async (f: StepFailure): Promise<void> => {
    await new StepFailuresRepository(this.dataSource).record(f);
    log.warn('step could not be recorded', {
      nominationId: f.nominationId,
      campaignId: f.campaignId ?? undefined,
      workflowId: f.workflowId,
      action: f.action,
      reason: f.reason,
      heldForRetry: f.actorUserId === null,
    });
  };
}
