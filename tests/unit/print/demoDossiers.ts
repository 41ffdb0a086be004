// The demo dossiers (tests/fixtures/demo.ts) as whole Dossier objects, the shape the service returns,
// so the renderers are tested on the seed's own data without a running service.

import { randomUUID } from 'node:crypto';
import type { Agency, Dossier } from '../../../contract/domain.js';
import { type DemoDossier, loadDemo } from '../../fixtures/demo.js';

export function toDossier(d: DemoDossier, extra: Partial<Dossier> = {}): Dossier {
  return {
    id: randomUUID(),
    dossierNumber: d.dossierNumber,
    kind: d.kind,
    agencyCode: d.agencyCode,
    fullName: d.fullName,
    bhxhCode: d.bhxhCode,
    idKind: d.idKind,
    idNumber: d.idNumber,
    dateOfBirth: null,
    gender: null,
    address: d.address,
    contactPerson: d.contactPerson,
    email: d.email,
    mobile: d.mobile,
    certificate: null,
    channel: d.channel,
    ivanName: null,
    effectiveDate: d.effectiveDate,
    update: d.update ? { email: d.update.email ?? null, mobile: d.update.mobile ?? null } : null,
    stop: null,
    submissionMethod: d.submissionMethod,
    declaredAt: d.declaredAt,
    receivedAt: d.receivedAt,
    expiresAt: null,
    status: d.status,
    outcome: d.outcome,
    reason: null,
    reasonCodes: [],
    reviewer: d.reviewer,
    decidedAt: d.decidedAt,
    accountResult: d.outcome === 'valid' ? 'issued' : null,
    result:
      d.outcome === 'valid'
        ? d.kind === 'update'
          ? 'details_updated'
          : 'account_issued'
        : d.outcome === 'invalid'
          ? 'rejected'
          : null,
    attachments: [],
    steps: [],
    claim: null,
    version: 1,
    ...extra,
  };
}

export function demoDossiers(): Dossier[] {
  return loadDemo().dossiers.map((d) => toDossier(d));
}

export function demoAgency(code: string): Agency {
  const a = loadDemo().agencies.find((x) => x.code === code);
  if (!a) throw new Error(`no demo agency ${code}`);
  return a;
}
