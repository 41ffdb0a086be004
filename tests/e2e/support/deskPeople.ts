// The two workers of the demo data a mobile desk registers (../shared/fixtures/demo.json
// registryNotes): in the registry, with no dossier yet. Hoàng Văn Nam's CCCD QR is the one the notes
// give; the BHYT card numbers carry their BHXH codes.
import type { SyntheticPerson } from '../../../contract/synthetic.js';

export const DESK_PERSON: SyntheticPerson = {
  fullName: 'Hoàng Văn Nam',
  bhxhCode: '2798001234',
  idKind: 'cccd',
  idNumber: '027098001234',
  dateOfBirth: '1998-04-17',
  gender: 'Nam',
  address: 'Thôn Đông Du, Xã Đào Viên, Huyện Quế Võ, Tỉnh Bắc Ninh',
  mobile: '0912345001',
  email: null,
};
export const DESK_PERSON_QR =
  '027098001234||Hoàng Văn Nam|17041998|Nam|Thôn Đông Du, Xã Đào Viên, Huyện Quế Võ, Tỉnh Bắc Ninh|05032021';
export const DESK_PERSON_BHYT = 'DN4272798001234';

export const DESK_PERSON_2: SyntheticPerson = {
  fullName: 'Nguyễn Thị Lan',
  bhxhCode: '2799005678',
  idKind: 'cccd',
  idNumber: '027199005678',
  dateOfBirth: '1999-12-01',
  gender: 'Nữ',
  address: 'Thôn Đông Du, Xã Đào Viên, Huyện Quế Võ, Tỉnh Bắc Ninh',
  mobile: '0987654002',
  email: null,
};
export const DESK_PERSON_2_BHYT = 'DN4272799005678';
