// contract/: the one place the wire types, domain types and pure domain checks live.
// No Node, DOM, Electron or React imports (checked by scripts/check-deps.ts).

export * from './api.js';
export * from './backoff.js';
export * from './dates.js';
export * from './desk.js';
export * from './domain.js';
export * from './identity.js';
export * from './input.js';
export * from './issues.js';
export * from './text.js';
export * from './synthetic.js';
