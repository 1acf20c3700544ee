import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed search attributes published by every nomination workflow, so that the Temporal UI and
 * `temporal workflow list --query "NominationStage = 'district_review'"` can find nominations.
 * The embedded dev server registers them at start; a self-hosted cluster needs them registered once
 * (see docs/operations.md: `temporal operator search-attribute create`).
 */
export const NominationStageKey = defineSearchAttributeKey('NominationStage', SearchAttributeType.KEYWORD);
export const CampaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const UnitIdKey = defineSearchAttributeKey('UnitId', SearchAttributeType.KEYWORD);
export const NominationFieldKey = defineSearchAttributeKey('NominationField', SearchAttributeType.KEYWORD);
export const NominationKindKey = defineSearchAttributeKey('NominationKind', SearchAttributeType.KEYWORD);
export const OverdueKey = defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL);

/** Name → CLI type name, as `temporal server start-dev --search-attribute Name=Type` expects it. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: ReadonlyArray<{ name: string; cliType: 'Keyword' | 'Bool' }> = [
  { name: NominationStageKey.name, cliType: 'Keyword' },
  { name: CampaignIdKey.name, cliType: 'Keyword' },
  { name: UnitIdKey.name, cliType: 'Keyword' },
  { name: NominationFieldKey.name, cliType: 'Keyword' },
  { name: NominationKindKey.name, cliType: 'Keyword' },
  { name: OverdueKey.name, cliType: 'Bool' },
];
