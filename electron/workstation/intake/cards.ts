// Is every ID card image of one dossier of one card? At a busy counter the cards of a family or of
// the next person in line lie side by side, and the back scanned after the wrong front goes unnoticed
// field by field: each side may agree with something. Đối chiếu therefore warns when the ID card
// recognitions of one dossier (the card's QR from an image or the reader, the OCR of CCCD or CMND)
// carry numbers of two different cards.
//
// Not a different card: the 9-digit CMND a CCCD replaced (the card's QR carries it as the old number),
// and one digit apart in an OCR reading (a misread digit, not another card: two people's card numbers
// differ in at least the six-digit serial at their end, almost always in more than one place).

import type { Recognition, RecognitionKind } from '../../../contract/scan.js';
import type { CardOfDossier } from '../../../contract/workstationIntake.js';

const ID_KINDS: ReadonlySet<RecognitionKind> = new Set(['cccd_qr', 'cccd_front', 'cccd_back', 'cmnd']);

const digitsOf = (s: string | undefined): string => (s ?? '').replace(/\D/gu, '');

function differingPlaces(a: string, b: string): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

type Read = { role: string | null; recognition: Recognition; number: string; old: string };

function sameCard(a: Read, b: Read): boolean {
  if (a.number === b.number) return true;
  if ((a.old && a.old === b.number) || (b.old && b.old === a.number)) return true;
  const ocr = a.recognition.source === 'ocr' || b.recognition.source === 'ocr';
  return ocr && a.number.length === b.number.length && differingPlaces(a.number, b.number) <= 1;
}

/**
 * The cards the dossier's ID images come from, one entry per card (the first source read of each),
 * when there is more than one; an empty list when all are of one card (or fewer than two carry a number).
 */
export function cardsOfDossier(
  sources: ReadonlyArray<{ role: string | null; recognition: Recognition }>,
): CardOfDossier[] {
  const reads: Read[] = [];
  for (const s of sources) {
    if (!ID_KINDS.has(s.recognition.kind)) continue;
    const number = digitsOf(s.recognition.fields.idNumber);
    if (number.length < 9) continue; // nothing readable as a card number
    reads.push({ ...s, number, old: digitsOf(s.recognition.fields.oldIdNumber) });
  }
  const cards: Read[] = [];
  for (const r of reads) if (!cards.some((c) => sameCard(c, r))) cards.push(r);
  if (cards.length < 2) return [];
  return cards.map((c) => ({ role: c.role, kind: c.recognition.kind, idNumber: c.number }));
}
