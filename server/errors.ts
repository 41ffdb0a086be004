// The service's one error type and its wire shape (API.md "Errors"): a machine code, a Vietnamese
// sentence for the user, per-field sentences for 422, and extra top-level members (409's dossier).

import type { ErrorCode } from '../contract/index.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    readonly extra?: Record<string, unknown>,
    /** response headers the answer needs (429's retry-after) */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) },
      ...this.extra,
    };
  }
}

export const notFound = (what = 'Không tìm thấy dữ liệu yêu cầu.'): ApiError =>
  new ApiError(404, 'not_found', what);
export const forbidden = (what = 'Bạn không có quyền thực hiện thao tác này.'): ApiError =>
  new ApiError(403, 'forbidden', what);
export const invalid = (
  fields: Record<string, string>,
  message = 'Dữ liệu không hợp lệ, vui lòng kiểm tra lại.',
): ApiError => new ApiError(422, 'validation_failed', message, fields);
