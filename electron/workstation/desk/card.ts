// The ID card into the mobile desk's form (contract/deskForm.ts cardValues): a CCCD QR gives exact
// fields, OCR of the card's front suggestions with their confidence; a QR that disagrees with itself
// is refused with its message and the form is left as it was.

import { cardValues } from '../../../contract/deskForm.js';
import type { Recognition } from '../../../contract/scan.js';
import type { CardFill } from '../../../contract/workstationDesk.js';
import { fail } from '../errors.js';

export function cardFill(r: Recognition): CardFill {
  const out = cardValues(r);
  if (!out.ok) fail('qr_invalid', out.message);
  return out.value;
}
