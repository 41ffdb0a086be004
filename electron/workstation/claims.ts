// The dossiers an officer has open on this workstation, claimed on the service so another desk sees
// who is working on them (API.md: a claim lasts 15 minutes). Claims are renewed while the dossier
// stays open (every 10 minutes by default), released when it closes or the officer signs out. A
// failure to renew or release is harmless: the claim runs out on the service by itself.

import type { SessionService } from './session.js';
import type { Logger } from './log.js';
import type { HttpSyncClient } from './sync/httpSyncClient.js';

export class OpenClaims {
  private readonly opened = new Set<string>();
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly client: HttpSyncClient,
    private readonly session: SessionService,
    renewMs = 10 * 60_000,
    private readonly log?: Logger,
  ) {
    this.renewal = setInterval(() => {
      if (!this.session.hasServiceSession()) return;
      for (const id of this.opened)
        void this.client
          .claim(id)
          .catch((err: unknown) => this.log?.info({ err, dossier: id }, 'claim not renewed'));
    }, renewMs);
    this.renewal.unref();
  }

  /** Claim a dossier on the service and keep it claimed while open; the claim as the service has it. */
  async claim(id: string): Promise<{ claimedBy: string; claimedUntil: string }> {
    const claim = await this.client.claim(id);
    this.opened.add(id);
    return claim;
  }

  /** The officer closed the dossier. */
  async release(id: string): Promise<void> {
    if (this.opened.delete(id) && this.session.hasServiceSession()) {
      await this.client
        .release(id)
        .catch((err: unknown) => this.log?.info({ err, dossier: id }, 'claim not released'));
    }
  }

  /** Sign-out: every claim of this desk released. */
  async releaseAll(): Promise<void> {
    for (const id of this.opened) {
      if (this.session.hasServiceSession())
        await this.client
          .release(id)
          .catch((err: unknown) => this.log?.info({ err, dossier: id }, 'claim not released'));
    }
    this.opened.clear();
  }

  stop(): void {
    clearInterval(this.renewal);
  }
}
