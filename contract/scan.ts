// Scanning and recognition types shared by scanner/ (Node), the workstation services and the renderer:
// devices, scan requests, typed errors with their Vietnamese messages, recognition results
// ({kind, fields, confidence}), the quality gate's verdict and the field-by-field comparison.
// Pure data and constants only (no Node, no DOM).

import type { Gender } from './identity.js';

// ---------------------------------------------------------------------------------------------
// Recognition results
// ---------------------------------------------------------------------------------------------

/** What a piece of paper (or a QR) was recognised as. `cccd_back`: the back of a chip card read by OCR. */
export type RecognitionKind = 'cccd_qr' | 'cccd_front' | 'cccd_back' | 'cmnd' | 'mau01';

/** Where a recognised value was read, in the officer's words (Đối chiếu's source column and notes). */
export const RECOGNITION_SOURCE_LABEL: Readonly<Record<RecognitionKind, string>> = {
  cccd_qr: 'Mã QR thẻ CCCD',
  cccd_front: 'Chữ trên thẻ CCCD (OCR)',
  cccd_back: 'Mặt sau thẻ CCCD (OCR)',
  cmnd: 'Chữ trên CMND (OCR)',
  mau01: 'Tờ khai Mẫu 01',
};

/** Field names follow GLOSSARY.md. Dates are YYYY-MM-DD, text is NFC. */
export type RecognizedFields = {
  idNumber?: string;
  oldIdNumber?: string;
  fullName?: string;
  dateOfBirth?: string;
  gender?: Gender;
  address?: string;
  issueDate?: string;
  dossierNumber?: string;
  /** a mobile desk's Mã tạm (MT-XXXX-XXXX), printed in the QR of a declaration not yet numbered */
  provisionalRef?: string;
  bhxhCode?: string;
  /** E.164 when it passed checkMobile, otherwise the digits as read */
  mobile?: string;
  email?: string;
  /** Mẫu 01: Người liên hệ */
  contactPerson?: string;
  /** Mẫu 01: which section the declaration fills (GLOSSARY: Đăng ký sử dụng / Điều chỉnh / Ngừng) */
  dossierKind?: 'register' | 'update' | 'stop';
  /** Mẫu 01 section 1: the date from which e-transactions start (YYYY-MM-DD) */
  effectiveDate?: string;
  /** Mẫu 01 section 2: the new e-mail and mobile (E.164) */
  updateEmail?: string;
  updateMobile?: string;
  /** Mẫu 01 section 3: the stop date (YYYY-MM-DD) and reason */
  stopDate?: string;
  stopReason?: string;
};
export type RecognizedField = keyof RecognizedFields;

export const RECOGNIZED_FIELDS: readonly RecognizedField[] = [
  'idNumber',
  'oldIdNumber',
  'fullName',
  'dateOfBirth',
  'gender',
  'address',
  'issueDate',
  'dossierNumber',
  'provisionalRef',
  'bhxhCode',
  'mobile',
  'email',
  'contactPerson',
  'dossierKind',
  'effectiveDate',
  'updateEmail',
  'updateMobile',
  'stopDate',
  'stopReason',
];

/** Vietnamese labels of the fields, as the comparison panel shows them. */
export const FIELD_LABEL: Readonly<Record<RecognizedField, string>> = {
  idNumber: 'Số CCCD/CMND',
  oldIdNumber: 'Số CMND cũ',
  fullName: 'Họ và tên',
  dateOfBirth: 'Ngày sinh',
  gender: 'Giới tính',
  address: 'Địa chỉ',
  issueDate: 'Ngày cấp',
  dossierNumber: 'Số hồ sơ',
  provisionalRef: 'Mã tạm',
  bhxhCode: 'Mã số BHXH',
  mobile: 'Điện thoại di động',
  email: 'Địa chỉ thư điện tử',
  contactPerson: 'Người liên hệ',
  dossierKind: 'Loại tờ khai',
  effectiveDate: 'Đăng ký sử dụng từ ngày',
  updateEmail: 'Địa chỉ thư điện tử mới',
  updateMobile: 'Số điện thoại di động mới',
  stopDate: 'Ngày ngừng giao dịch điện tử',
  stopReason: 'Lý do ngừng',
};

/**
 * A returned field whose confidence reaches this is right at least 99 % of the time on the corpus
 * (docs/scanner.md); below it the officer's eye is needed.
 */
export const RELIABLE_CONFIDENCE = 0.9;

/** Where a recognition came from: a QR in an image, a HID reader, or OCR of printed text. */
export type RecognitionSource = 'qr_image' | 'qr_reader' | 'ocr';

export type Recognition = {
  kind: RecognitionKind;
  fields: RecognizedFields;
  /** 0..1 per recognised field: 1 for a QR that decoded and validated; OCR word confidence otherwise */
  confidence: Partial<Record<RecognizedField, number>>;
  source: RecognitionSource;
  /** Vietnamese notes for the officer: fields that failed validation, disagreements inside the card */
  warnings: string[];
  /** the QR text as decoded (never logged: personal data) */
  raw?: string;
};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export type ScanErrorCode =
  | 'no_device'
  | 'busy'
  | 'feeder_empty'
  | 'cover_open'
  | 'jammed'
  | 'cancelled'
  | 'io'
  | 'timeout'
  | 'unsupported'
  | 'bad_input'
  | 'payload_too_large'
  | 'qr_not_found'
  | 'qr_invalid'
  | 'legacy_encoding'
  | 'ocr_unavailable';

/** The officer-facing message of each error. */
export const SCAN_ERROR_MESSAGE: Readonly<Record<ScanErrorCode, string>> = {
  no_device: 'Không tìm thấy máy quét. Kiểm tra cáp nối, nguồn điện hoặc kết nối mạng của máy quét.',
  busy: 'Máy quét đang bận (đang quét cho việc khác). Chờ một lát rồi thử lại.',
  feeder_empty: 'Khay nạp giấy trống. Đặt giấy vào khay rồi quét lại.',
  cover_open: 'Nắp máy quét đang mở. Đóng nắp rồi quét lại.',
  jammed: 'Giấy bị kẹt trong máy quét. Gỡ giấy kẹt rồi quét lại.',
  cancelled: 'Đã huỷ lượt quét.',
  io: 'Lỗi khi trao đổi dữ liệu với máy quét. Thử lại; nếu vẫn lỗi, khởi động lại máy quét.',
  timeout: 'Máy quét không phản hồi: kiểm tra nắp, giấy kẹt và dây cáp của máy rồi quét lại.',
  unsupported: 'Máy quét không hỗ trợ thiết lập đã chọn (độ phân giải, chế độ màu hoặc khay giấy).',
  bad_input: 'Tệp không đọc được: không phải ảnh PNG, JPEG, TIFF hoặc tệp PDF hợp lệ.',
  payload_too_large: 'Tệp quá lớn để xử lý (quá nhiều điểm ảnh hoặc quá nhiều trang).',
  qr_not_found: 'Không tìm thấy mã QR trong ảnh.',
  qr_invalid: 'Mã QR không đúng định dạng của thẻ Căn cước công dân.',
  legacy_encoding:
    'Văn bản dùng bảng mã cũ (TCVN3/VNI) hoặc bị bộ gõ tiếng Việt làm sai dấu. Chuyển máy đọc sang chế độ HID-POS hoặc quét lại ảnh.',
  ocr_unavailable: 'Không khởi động được bộ nhận dạng chữ (OCR): thiếu dữ liệu tiếng Việt đi kèm.',
};

/** An error as a value (crosses IPC as JSON): the code, the Vietnamese message, an optional detail. */
export type ScanErrorInfo = { code: ScanErrorCode; message: string; detail?: string };

// ---------------------------------------------------------------------------------------------
// Document scanners
// ---------------------------------------------------------------------------------------------

export type ScannerBackend = 'sane' | 'escl' | 'wia' | 'file';
export type ColorMode = 'color' | 'gray' | 'bw';
export type ScanSource = 'flatbed' | 'feeder';
export type PageSize = 'A4' | 'A5' | 'letter' | 'id_card';

/** Page sizes in millimetres (id_card: ISO/IEC 7810 ID-1 with a margin). */
export const PAGE_SIZE_MM: Readonly<Record<PageSize, { width: number; height: number }>> = {
  A4: { width: 210, height: 297 },
  A5: { width: 148, height: 210 },
  letter: { width: 215.9, height: 279.4 },
  id_card: { width: 90, height: 60 },
};

export type ScannerDevice = {
  /** backend-qualified id: "sane:test:0", "escl:http://…/eSCL", "wia:{…}" */
  id: string;
  backend: ScannerBackend;
  name: string;
  vendor?: string;
  model?: string;
};

export type ScannerCapabilities = {
  resolutions: number[];
  colorModes: ColorMode[];
  sources: ScanSource[];
  /** largest scan area in millimetres */
  maxWidthMm: number;
  maxHeightMm: number;
};

export type ScanRequest = {
  resolution: number;
  colorMode: ColorMode;
  source: ScanSource;
  pageSize: PageSize;
  /** feeder only: stop after this many pages (default: until the feeder is empty) */
  maxPages?: number;
};

export const DEFAULT_SCAN_REQUEST: ScanRequest = {
  resolution: 300,
  colorMode: 'color',
  source: 'flatbed',
  pageSize: 'A4',
};

export type ScanProgress = {
  /** 1-based page being scanned */
  page: number;
  /** 0..100 within the page, when the backend reports it */
  percent: number;
  pagesDone: number;
};

export type ScannedPage = {
  index: number;
  /** file the page was written to */
  path: string;
  mediaType: 'image/png' | 'image/jpeg' | 'image/tiff';
  width: number;
  height: number;
  resolution: number;
};

// ---------------------------------------------------------------------------------------------
// Barcode / QR readers
// ---------------------------------------------------------------------------------------------

export type ReaderKind = 'hid_pos' | 'keyboard_wedge';

export type ReaderDevice = {
  id: string;
  kind: ReaderKind;
  name: string;
  vendorId?: number;
  productId?: number;
};

/** One complete scan from a reader: the text as delivered (NFC). */
export type ReaderScan = { readerId: string; text: string; at: string };

// ---------------------------------------------------------------------------------------------
// Quality gate
// ---------------------------------------------------------------------------------------------

export type QualityProblem = 'low_resolution' | 'blurry' | 'skewed' | 'too_dark' | 'too_light' | 'too_small';

export const QUALITY_PROBLEM_MESSAGE: Readonly<Record<QualityProblem, string>> = {
  low_resolution: 'Độ phân giải quá thấp để đọc chữ: quét lại ở 300 dpi (hoặc chụp gần hơn).',
  blurry: 'Ảnh bị mờ, nhòe: giữ giấy và máy ảnh yên, lấy nét rồi quét hoặc chụp lại.',
  skewed: 'Giấy bị đặt lệch quá nhiều: đặt giấy thẳng theo mép máy quét rồi quét lại.',
  too_dark: 'Ảnh quá tối: tăng ánh sáng hoặc giảm độ đậm khi quét.',
  too_light: 'Ảnh quá nhạt, gần như trắng: kiểm tra giấy đã đặt đúng mặt và quét lại.',
  too_small: 'Ảnh quá nhỏ: giấy tờ phải chiếm phần lớn khung hình.',
};

export type QualityReport = {
  ok: boolean;
  /** effective resolution in dots per inch (from metadata or from the paper's known size) */
  dpi: number | null;
  /** variance of the Laplacian on a normalised greyscale: higher is sharper */
  sharpness: number;
  /** estimated skew in degrees (positive = counter-clockwise) */
  skewDegrees: number;
  meanBrightness: number;
  problems: QualityProblem[];
  /** the officer-facing reasons, one per problem */
  messages: string[];
};

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/**
 * match: equal after normalisation; looser: equal only after folding diacritics, word order or a
 * missing middle name ("cần xác minh"); mismatch: different; missing: one side has no value.
 */
export type FieldVerdict = 'match' | 'looser' | 'mismatch' | 'missing';

export type FieldComparison = {
  field: RecognizedField;
  label: string;
  dossierValue: string | null;
  recognizedValue: string | null;
  /** which recognition supplied the value */
  source: RecognitionKind | null;
  confidence: number | null;
  verdict: FieldVerdict;
  /** Vietnamese explanation for looser matches and mismatches */
  note?: string;
};

export type ComparisonReport = {
  fields: FieldComparison[];
  /** true when nothing is a mismatch (looser matches still need the officer's eye) */
  agrees: boolean;
  mismatches: RecognizedField[];
  needsReview: RecognizedField[];
};
