// Print / Save as PDF of the open dossier's documents (Mẫu 01, the decision notice). Issue 4 item 5.
import type { DossierView } from '../../../contract/workstation';

export function DossierPrintActions(_props: { view: DossierView }) {
  return null;
}
