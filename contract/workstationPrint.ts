// The printing part of the typed workstation API (issue 4 item 5): Print / Save as PDF of a dossier's
// documents, the supervisors' Báo cáo screen, and batch printing with progress and cancel.
// Merged into `Inputs` / `Outputs` / `WsEvent` by contract/workstation.ts.

export const PrintInputs = {} as const;

export type PrintOutputs = Record<never, never>;

export type PrintEvent = never;
