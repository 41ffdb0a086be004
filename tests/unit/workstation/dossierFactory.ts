// Builds whole Dossier values (the service's wire shape) from synthetic people, for store tests and
// benchmarks that need many dossiers without a service.
import { randomUUID } from 'node:crypto';
import { createRandom, syntheticPerson, type Dossier } from '../../../contract/index.js';

export function makeDossier(index: number, overrides: Partial<Dossier> = {}, seed = 7): Dossier {
  const p = syntheticPerson(createRandom(seed + index * 7919), index);
  const day = new Date(Date.UTC(2020, 0, 1) + (index % 1800) * 86_400_000 + (index % 600) * 60_000);
  const at = day.toISOString();
  return {
    id: randomUUID(),
    dossierNumber: `${String((index % 99999) + 1).padStart(5, '0')}.GD/${day.getUTCFullYear()}/903`,
    kind: 'register',
    agencyCode: '903',
    fullName: p.fullName,
    bhxhCode: p.bhxhCode,
    idKind: p.idKind,
    idNumber: p.idNumber,
    dateOfBirth: p.dateOfBirth,
    gender: p.gender,
    address: p.address,
    contactPerson: p.fullName,
    email: p.email,
    mobile: p.mobile,
    certificate: null,
    channel: 'portal',
    ivanName: null,
    effectiveDate: null,
    update: null,
    stop: null,
    submissionMethod: 'counter',
    declaredAt: at,
    receivedAt: at,
    expiresAt: null,
    status: 'pending',
    outcome: null,
    reason: null,
    reasonCodes: [],
    reviewer: null,
    decidedAt: null,
    accountResult: null,
    result: null,
    attachments: [],
    steps: [],
    claim: null,
    version: 1,
    ...overrides,
  };
}
