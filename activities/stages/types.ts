// The stage activities' types. PartyHost and StageActivities live in workflows/ (the workflow bundle
// imports them and may not import activity code); they are re-exported here for the activity side.
export type { PartyHost, StageResult } from '../../workflows/types.js';
export type { StageActivities } from '../../workflows/activity-types.js';
