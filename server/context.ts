// What every part of the service is handed: the database, the configuration, the clock (controllable
// in tests), the logger (which never receives personal data) and the agency tree.

import type pino from 'pino';
import type { Agency, Role } from '../contract/index.js';
import type { Bus } from './bus.js';
import type { ServiceConfig } from './config.js';
import type { Database } from './db/database.js';
import type { ReadsFirst } from './qos.js';

export type Ctx = {
  db: Database;
  config: ServiceConfig;
  now: () => Date;
  log: pino.Logger;
  agencies: AgencyTree;
  /** A streaming replica for the dossier list and searches (DATABASE_READ_URL); unset: the primary. */
  readDb?: Database;
  /** Messages to the service's other instances (bus.ts); local on PGlite. */
  bus: Bus;
  /** Where the local SMS / e-mail sinks write (DATA_DIR/server), or undefined to keep them in memory. */
  dataDir?: string;
  /** Officers' reads running in this instance, before which decision batches step back (qos.ts). */
  readsFirst: ReadsFirst;
};

/** A signed-in staff member, with the agencies whose dossiers they may see. */
export type Staff = {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  agencyCode: string;
  agencyName: string;
  /** their agency and every agency below it */
  scope: string[];
};

export class AgencyTree {
  private list: Agency[] = [];
  constructor(private readonly db: Database) {}

  async load(): Promise<void> {
    const res = await this.db.query<{
      code: string;
      name: string;
      parent_code: string | null;
      address: string;
      phone: string;
    }>('SELECT code, name, parent_code, address, phone FROM agencies ORDER BY code');
    this.list = res.rows.map((r) => ({
      code: r.code,
      name: r.name,
      parentCode: r.parent_code,
      address: r.address,
      phone: r.phone,
    }));
  }

  all(): Agency[] {
    return this.list;
  }

  get(code: string): Agency | undefined {
    return this.list.find((a) => a.code === code);
  }

  /** The agency and all agencies below it. */
  subtree(code: string): string[] {
    const out = [code];
    for (let i = 0; i < out.length; i++) {
      for (const a of this.list) if (a.parentCode === out[i] && !out.includes(a.code)) out.push(a.code);
    }
    return out;
  }

  /** The agency and its ancestors, nearest first. */
  ancestry(code: string): string[] {
    const out: string[] = [];
    let cur: string | null | undefined = code;
    while (cur && !out.includes(cur)) {
      out.push(cur);
      cur = this.get(cur)?.parentCode;
    }
    return out;
  }
}
