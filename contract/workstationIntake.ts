// The intake part of the typed workstation API (issue 6 item 7): Quét / Đính kèm of the personal photo,
// ID card and form pages, reader scans that open the matching dossier, and the comparison panel.
// Merged into `Inputs` / `Outputs` / `WsEvent` by contract/workstation.ts.

export const IntakeInputs = {} as const;

export type IntakeOutputs = Record<never, never>;

export type IntakeEvent = never;
