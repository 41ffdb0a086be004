// The printing module: pure renderers from domain data to PDF bytes (pdfkit, embedded DejaVu fonts
// for Vietnamese). No Electron here: the workstation's Print / Save as PDF and the `npm run print`
// CLI both call these. See docs/print.md for the signatures.

export { configurePrintResources } from './resources.js';
export {
  FormTemplate,
  loadTemplates,
  parseTemplate,
  templateById,
  templateForDate,
  TemplateError,
} from './template.js';
export {
  renderBlankMau01,
  renderMau01,
  renderMau01Batch,
  mau01Values,
  type Mau01Options,
  type BatchItem,
  type BatchOptions,
} from './mau01.js';
export { noticeResult, renderDecisionNotice, type NoticeOptions } from './notice.js';
export {
  reconciliationItems,
  renderDailyReport,
  renderReconciliation,
  type ReconciliationInput,
} from './report.js';
export { PrintError } from './pdf.js';
