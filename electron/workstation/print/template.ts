// Versioned Mẫu 01 templates (resources/forms/*.json): the form's title, legal-basis line, labels,
// order and layout are data, so a new edition (Decree 164/2025/NĐ-CP replaced 166/2016 on
// 1 July 2025) is a new JSON file, not a code change. Validated here so a broken file fails loudly.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formDirectory } from './resources.js';

const Align = z.enum(['left', 'center', 'right', 'justify']);
const Style = z.enum(['regular', 'bold', 'italic']);

const Common = {
  /** `key=value&key=value` on the dossier: the block's values (and its box) apply only when true. */
  when: z.string().optional(),
  indent: z.number().min(0).max(200).optional(),
  spaceBefore: z.number().min(0).max(100).optional(),
  spaceAfter: z.number().min(0).max(100).optional(),
  size: z.number().min(6).max(24).optional(),
};

const TextBlock = z.object({
  type: z.literal('text'),
  /** Literal text with `{path}` or `{path|longDate}` placeholders filled from the dossier. */
  text: z.string().min(1),
  align: Align.optional(),
  style: Style.optional(),
  underline: z.boolean().optional(),
  /** Dots printed for a placeholder on the blank form. */
  blankWidth: z.number().int().min(1).max(80).optional(),
  /** Move to a new page with the next block (the commitment stays with the signature). */
  keepWithNext: z.boolean().optional(),
  /** Start the block no higher than this (clears the photo and QR at the top of the page). */
  minY: z.number().min(0).max(800).optional(),
  ...Common,
});

const FieldBlock = z.object({
  type: z.literal('field'),
  label: z.string().min(1),
  value: z.string(),
  hint: z.string().optional(),
  /** Extra dotted lines on the blank form (addresses, reasons). */
  blankLines: z.number().int().min(0).max(5).optional(),
  ...Common,
});

const SectionBlock = z.object({ type: z.literal('section'), text: z.string().min(1), ...Common });
const ChoiceBlock = z.object({ type: z.literal('choice'), text: z.string().min(1), ...Common });

const SignatureBlock = z.object({
  type: z.literal('signature'),
  title: z.string().min(1),
  hint: z.string().optional(),
  name: z.string().optional(),
  /** Small print in the left column beside the signature (where the form is received, and how). */
  note: z.string().optional(),
  /** Room left for the handwritten signature, in points. */
  height: z.number().min(10).max(200),
  width: z.number().min(100).max(500),
  ...Common,
});

export const TemplateBlock = z.discriminatedUnion('type', [
  TextBlock,
  FieldBlock,
  SectionBlock,
  ChoiceBlock,
  SignatureBlock,
]);
export type TemplateBlock = z.infer<typeof TemplateBlock>;

export const FormTemplate = z.object({
  id: z.string().min(1),
  form: z.literal('mau01'),
  edition: z.string().min(1),
  validFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/u),
  validTo: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/u)
    .nullable(),
  legalBasis: z.string().min(1),
  source: z.string().optional(),
  note: z.string().optional(),
  page: z.object({
    size: z.literal('A4'),
    margins: z.object({ top: z.number(), bottom: z.number(), left: z.number(), right: z.number() }),
    fontSize: z.number().min(6).max(16),
    lineGap: z.number().min(0).max(10),
    paragraphGap: z.number().min(0).max(20),
  }),
  qr: z.object({ x: z.number(), y: z.number(), size: z.number().min(40).max(200) }),
  photo: z.object({
    x: z.number(),
    y: z.number(),
    width: z.number().min(20),
    height: z.number().min(20),
    label: z.string(),
  }),
  blocks: z.array(TemplateBlock).min(1),
});
export type FormTemplate = z.infer<typeof FormTemplate>;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export function parseTemplate(json: unknown, source = 'template'): FormTemplate {
  const parsed = FormTemplate.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new TemplateError(
      `Mẫu biểu ${source} không hợp lệ: ${first ? `${first.path.join('.')}: ${first.message}` : 'sai cấu trúc'}`,
    );
  }
  return parsed.data;
}

let cached: { dir: string; templates: FormTemplate[] } | null = null;

/** Every edition in resources/forms, oldest first. */
export function loadTemplates(dir = formDirectory()): FormTemplate[] {
  if (cached?.dir === dir) return cached.templates;
  if (!existsSync(dir)) {
    throw new TemplateError(
      `Không tìm thấy thư mục mẫu biểu ${dir}: đặt BHXH_PRINT_FORM_DIR hoặc gọi configurePrintResources({formDir}).`,
    );
  }
  const templates = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => parseTemplate(JSON.parse(readFileSync(path.join(dir, f), 'utf8')), f))
    .sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  if (templates.length === 0) throw new TemplateError(`Không có mẫu biểu nào trong ${dir}.`);
  cached = { dir, templates };
  return templates;
}

export function templateById(id: string, dir?: string): FormTemplate {
  const found = loadTemplates(dir).find((t) => t.id === id);
  if (!found) throw new TemplateError(`Không có mẫu biểu "${id}".`);
  return found;
}

/**
 * The edition in force on a day (YYYY-MM-DD): a dossier declared in 2020 prints on the 2020 form, a
 * blank form printed today on today's edition.
 */
export function templateForDate(day: string, dir?: string): FormTemplate {
  const templates = loadTemplates(dir);
  const inForce = templates.filter((t) => t.validFrom <= day && (t.validTo === null || day <= t.validTo));
  const chosen = inForce.at(-1) ?? (day < (templates[0]?.validFrom ?? '') ? templates[0] : templates.at(-1));
  if (!chosen) throw new TemplateError('Không có mẫu biểu nào.');
  return chosen;
}
