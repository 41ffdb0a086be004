// scanner/: document scanners (SANE, eSCL, WIA, file import), HID-POS barcode/QR readers, QR decoding,
// the ID card QR parser, OCR with tesseract.js, field extraction, the quality gate and matching.
// Node only (sharp, zxing-wasm, tesseract.js, node-hid, pdf.js). The workstation's main process calls
// this API; docs/scanner.md describes it. Pure parts the renderer needs live in contract/ (scan.ts,
// wedge.ts).

export { ScanError, isScanError, toScanErrorInfo } from './errors.js';
export { ScannerHub, defaultDrivers, type HubOptions } from './devices/hub.js';
export type { ScanRun, ScannerDriver } from './devices/types.js';
export { SaneDriver, type SaneOptions } from './devices/sane.js';
export { EsclDriver, type EsclOptions } from './devices/escl.js';
export { WiaDriver, type WiaOptions } from './devices/wia.js';
export { startEsclSimulator, type RunningSimulator, type SimulatorOptions } from './escl/simulator.js';
export {
  loadPages as importDocument,
  loadPages,
  sniffFormat,
  MAX_PDF_PAGES,
  MAX_PIXELS,
  type PageImage,
} from './image/load.js';
export { decodeQrCodes, initQrDecoder, type DecodedQr } from './qr/decode.js';
export { parseCccdQr, looksLikeCccdQr, type CccdQrResult } from './qr/cccdQr.js';
export { dossierNumberFromQr } from './qr/formQr.js';
export { detectLegacyText } from './qr/legacyText.js';
export { OcrPool, LazyOcr, defaultPoolSize, type OcrEngine, type OcrPage } from './ocr/pool.js';
export { extractFields, classifyText } from './ocr/extract.js';
export { assessQuality, DEFAULT_THRESHOLDS, type QualityThresholds } from './quality.js';
export {
  recognizeDocument,
  recognizePage,
  recognizeFromQrs,
  recognizeReaderText,
  type DocumentRecognition,
  type PageRecognition,
  type RecognizeOptions,
} from './recognize.js';
export { compareWithDossier, type DossierFacts } from './match.js';
export {
  ScannerService,
  type Result,
  type ScannerServiceEvents,
  type ScannerServiceOptions,
} from './service.js';
export {
  HidReaderWatcher,
  HidPosAssembler,
  listReaders,
  nodeHidBackend,
  buildHidPosReports,
  type HidBackend,
} from './hid/hidPos.js';
