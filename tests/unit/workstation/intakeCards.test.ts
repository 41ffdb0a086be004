// Đối chiếu's two-cards warning: recognitions made by the real QR parser from card QR texts of
// synthetic people; one card read twice (image and reader, with its old CMND, an OCR digit misread)
// is one card, a neighbour's card is another.
import { describe, expect, it } from 'vitest';
import type { Recognition } from '../../../contract/scan.js';
import { syntheticPeople } from '../../../contract/synthetic.js';
import { cardsOfDossier } from '../../../electron/workstation/intake/cards.js';
import { recognizeReaderText } from '../../../scanner/index.js';
import { cccdQrText } from '../scanner/support/images.js';

const [a, b] = syntheticPeople(2, 4242) as [
  ReturnType<typeof syntheticPeople>[number],
  ReturnType<typeof syntheticPeople>[number],
];
const qrOf = (p: typeof a, oldId = ''): Recognition =>
  recognizeReaderText(cccdQrText(p, '2021-07-01', oldId));
const ocrOf = (idNumber: string): Recognition => ({
  kind: 'cccd_front',
  fields: { idNumber },
  confidence: { idNumber: 0.8 },
  source: 'ocr',
  warnings: [],
});

describe('cards of one dossier', () => {
  it('one card read from the front image and by the reader is one card', () => {
    expect(
      cardsOfDossier([
        { role: null, recognition: qrOf(a) },
        { role: 'idFront', recognition: qrOf(a) },
      ]),
    ).toEqual([]);
  });

  it("the front of one person's card and the back of another's are two cards, named by where they were read", () => {
    const cards = cardsOfDossier([
      { role: 'idFront', recognition: qrOf(a) },
      { role: 'idBack', recognition: qrOf(b) },
    ]);
    expect(cards).toEqual([
      { role: 'idFront', kind: 'cccd_qr', idNumber: a.idNumber },
      { role: 'idBack', kind: 'cccd_qr', idNumber: b.idNumber },
    ]);
  });

  it('the CMND a CCCD replaced is the same person; one OCR digit misread is not another card; two are', () => {
    const old = '0' + a.idNumber.slice(4, 12);
    expect(
      cardsOfDossier([
        { role: 'idFront', recognition: qrOf(a, old) },
        { role: 'idBack', recognition: { ...ocrOf(old), kind: 'cmnd' } },
      ]),
    ).toEqual([]);
    const flip = (s: string, i: number) => s.slice(0, i) + String((Number(s[i]) + 1) % 10) + s.slice(i + 1);
    const oneOff = flip(a.idNumber, 11);
    expect(
      cardsOfDossier([
        { role: null, recognition: qrOf(a) },
        { role: 'idFront', recognition: ocrOf(oneOff) },
      ]),
    ).toEqual([]);
    expect(
      cardsOfDossier([
        { role: null, recognition: qrOf(a) },
        { role: 'idFront', recognition: ocrOf(flip(oneOff, 10)) },
      ]),
    ).toHaveLength(2);
  });

  it('a form page and an image without a readable number are left out', () => {
    const form: Recognition = { ...ocrOf(b.idNumber), kind: 'mau01' };
    expect(
      cardsOfDossier([
        { role: 'idFront', recognition: qrOf(a) },
        { role: 'form1', recognition: form },
        { role: 'idBack', recognition: ocrOf('12') },
      ]),
    ).toEqual([]);
  });
});
