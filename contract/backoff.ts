// Retry delays shared by the service's SMS/e-mail delivery and the workstation's sync engine:
// exponential, capped, and jittered ("equal jitter": a random delay in [d/2, d]) so that a room of
// workstations coming back online, or a gateway's many queued messages, do not retry in lockstep.

export type Backoff = { baseMs: number; maxMs: number };

/**
 * The delay before the next try after `failures` failed tries (1, 2, …): d = base·2^(failures−1),
 * capped at max, then a random delay in [d/2, d]. With base 1 s: 0.5–1 s, 1–2 s, 2–4 s, …
 */
export function backoffDelay(failures: number, b: Backoff, random: () => number = Math.random): number {
  const d = Math.min(b.maxMs, b.baseMs * 2 ** Math.min(Math.max(0, failures - 1), 30));
  return Math.round(d / 2 + random() * (d / 2));
}
