export { campaignWorkflow } from './campaign.workflow';
export { nominationWorkflow } from './nomination.workflow';
