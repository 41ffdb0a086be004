// One Vietnamese sentence per kind of schema refusal, shared by the service's 422 answers and the
// workstation's refusals of a malformed call, so both say what is wrong with a field the same way.

import type { z } from 'zod';

/** The sentence of one issue; parse with `{ reportInput: true }` so that a missing field is told apart. */
export function zodIssueMessage(issue: z.core.$ZodIssue): string {
  const missing = 'input' in issue && issue.input === undefined;
  switch (issue.code) {
    case 'invalid_type':
      return missing ? 'Trường này là bắt buộc.' : 'Sai kiểu dữ liệu.';
    case 'invalid_value':
      return missing ? 'Trường này là bắt buộc.' : 'Giá trị không nằm trong danh sách cho phép.';
    case 'invalid_format':
      if (issue.format === 'uuid') return 'Phải là mã định danh dạng UUID.';
      // a pattern of contract/input.ts words its own sentence; zod's defaults are English
      return issue.format === 'regex' && issue.message && !issue.message.startsWith('Invalid')
        ? issue.message
        : 'Sai định dạng.';
    case 'too_small':
      return 'Giá trị quá ngắn hoặc quá nhỏ.';
    case 'too_big':
      return 'Giá trị quá dài hoặc quá lớn.';
    case 'unrecognized_keys':
      return 'Có trường không được phép.';
    case 'custom':
      // the input rules (contract/input.ts) word their own sentence
      return issue.message && issue.message !== 'Invalid input' ? issue.message : 'Giá trị không hợp lệ.';
    default:
      return 'Giá trị không hợp lệ.';
  }
}

/** The refused fields of a failed parse, each with its sentence (the first issue of a field wins). */
export function zodFieldMessages(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) fields[issue.path.map(String).join('.') || '_'] ??= zodIssueMessage(issue);
  return fields;
}
