// `npm run scan -- <command>`: the scanner's command line for operators and tests.
//   recognize <file>… [--no-ocr] [--all-pages] [--json-lines]
//                                                     → JSON {kind, fields, confidence, …} per file;
//                                                       --json-lines: one compact object a line, with
//                                                       its file, errors included, for scripts
//   devices [--sane-config <dir>] [--escl <url>]…      → scanners and barcode readers
//   scan --device <id> --out <dir> [--resolution 300] [--mode color|gray|bw]
//        [--source flatbed|feeder] [--size A4|A5|letter|id_card] [--pages N]
//   quality <image>                                     → the quality gate's verdict
//   escl-simulator [--port 0] [page images…]           → runs the eSCL simulator until Ctrl+C
// Exit code 0 on success, 2 on a ScanError (printed as JSON {error: {code, message, detail}}), 1 otherwise.

// Each command imports only what it uses: a cold `recognize` pays for sharp, zxing and tesseract.js,
// not for the scanner drivers, node-hid or the eSCL simulator (start-up counts in its 3-s budget).

import { parseArgs } from 'node:util';
import {
  DEFAULT_SCAN_REQUEST,
  type ColorMode,
  type PageSize,
  type ScanRequest,
  type ScanSource,
} from '../contract/scan.js';
import { isScanError } from '../scanner/errors.js';
import type { ScannerHub } from '../scanner/devices/hub.js';
import { mark } from '../scanner/trace.js';

const USAGE = `Cách dùng:
  npm run scan -- recognize <ảnh-hoặc-pdf>… [--no-ocr] [--all-pages] [--json-lines]
  npm run scan -- devices [--sane-config <thư mục>] [--escl <url>]
  npm run scan -- scan --device <id> --out <thư mục> [--resolution 300] [--mode color|gray|bw]
                       [--source flatbed|feeder] [--size A4|A5|letter|id_card] [--pages N]
  npm run scan -- quality <ảnh>
  npm run scan -- escl-simulator [--port 0] [ảnh trang…]`;

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'no-ocr': { type: 'boolean', default: false },
      'all-pages': { type: 'boolean', default: false },
      'json-lines': { type: 'boolean', default: false },
      'sane-config': { type: 'string' },
      escl: { type: 'string', multiple: true },
      device: { type: 'string' },
      out: { type: 'string' },
      resolution: { type: 'string' },
      mode: { type: 'string' },
      source: { type: 'string' },
      size: { type: 'string' },
      pages: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  mark('command line read');
  if (values.help || !command) {
    process.stderr.write(`${USAGE}\n`);
    return command ? 0 : 1;
  }
  const createHub = async (): Promise<ScannerHub> => {
    const { ScannerHub, defaultDrivers } = await import('../scanner/devices/hub.js');
    return new ScannerHub(
      defaultDrivers({
        ...(values['sane-config'] ? { sane: { configDir: values['sane-config'] } } : {}),
        ...(values.escl ? { escl: { urls: values.escl } } : {}),
      }),
    );
  };
  switch (command) {
    case 'recognize': {
      if (rest.length === 0) throw new Error('Thiếu đường dẫn tệp ảnh hoặc PDF.');
      const [{ LazyOcr }, { recognizeDocument }] = await Promise.all([
        import('../scanner/ocr/pool.js'),
        import('../scanner/recognize.js'),
      ]);
      mark('modules loaded (sharp, zxing, tesseract.js)');
      // One file: one worker (a second would only double the start-up on a 2-core machine).
      const ocr = values['no-ocr'] ? null : new LazyOcr(rest.length === 1 ? { size: 1 } : {});
      ocr?.prepare();
      mark('OCR worker starting');
      const lines = values['json-lines'];
      let failures = 0;
      try {
        const recognizeOne = async (file: string): Promise<Record<string, unknown>> => {
          const result = await recognizeDocument(file, {
            ocr,
            ...(values['all-pages'] ? {} : { maxPages: 1 }),
          });
          const { recognition } = result;
          const out: Record<string, unknown> = {
            ...(lines || rest.length > 1 ? { file } : {}),
            kind: recognition.kind,
            fields: recognition.fields,
            confidence: recognition.confidence,
            source: recognition.source,
            warnings: recognition.warnings,
          };
          if (recognition.quality) out.quality = recognition.quality;
          if (values['all-pages']) out.pages = result.pages.map(({ raw: _raw, ...p }) => p);
          return out;
        };
        // Files are read in turn and their pages share the pool: results come out in the given order.
        const outputs: Array<Record<string, unknown>> = [];
        for (const file of rest) {
          let out: Record<string, unknown>;
          try {
            out = await recognizeOne(file);
          } catch (error) {
            if (!isScanError(error) || rest.length === 1) throw error;
            failures++;
            out = { file, error: error.toInfo() };
          }
          if (lines) process.stdout.write(`${JSON.stringify(out)}\n`);
          else outputs.push(out);
        }
        if (!lines) print(rest.length === 1 ? outputs[0] : outputs);
        mark('result printed');
      } finally {
        await ocr?.close();
        mark('OCR closed');
      }
      return failures > 0 ? 2 : 0;
    }
    case 'devices': {
      const scanners = await (await createHub()).list();
      // Keyboard-wedge readers look like keyboards to the OS: the workstation's window detects them.
      const { listReaders } = await import('../scanner/hid/hidPos.js');
      const readers = await listReaders().catch(() => []);
      print({ scanners, readers });
      return 0;
    }
    case 'scan': {
      if (!values.device || !values.out) throw new Error('Cần --device <id> và --out <thư mục>.');
      const request: ScanRequest = {
        ...DEFAULT_SCAN_REQUEST,
        ...(values.resolution ? { resolution: Number(values.resolution) } : {}),
        ...(values.mode ? { colorMode: values.mode as ColorMode } : {}),
        ...(values.source ? { source: values.source as ScanSource } : {}),
        ...(values.size ? { pageSize: values.size as PageSize } : {}),
        ...(values.pages ? { maxPages: Number(values.pages) } : {}),
      };
      const hub = await createHub();
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      const pages = await hub.scan(values.device, request, {
        outDir: values.out,
        signal: controller.signal,
        onProgress: (p) => process.stderr.write(`\rTrang ${p.page}: ${p.percent.toFixed(0)}%   `),
      });
      process.stderr.write('\n');
      print({ pages });
      return 0;
    }
    case 'quality': {
      const file = rest[0];
      if (!file) throw new Error('Thiếu đường dẫn tệp ảnh.');
      const { loadPages } = await import('../scanner/image/load.js');
      const { assessQuality } = await import('../scanner/quality.js');
      const [page] = await loadPages(file, { maxPages: 1 });
      if (!page) throw new Error('Tệp không có trang nào.');
      print(await assessQuality(page.bytes, { dpi: page.dpi }));
      return 0;
    }
    case 'escl-simulator': {
      const { startEsclSimulator } = await import('../scanner/escl/simulator.js');
      const { readFile } = await import('node:fs/promises');
      const pages = await Promise.all(rest.map((f) => readFile(f)));
      const sim = await startEsclSimulator({
        port: Number(values.port ?? 0),
        ...(pages.length ? { pages } : {}),
      });
      print({ url: sim.url, use: `npm run scan -- devices --escl ${sim.url}` });
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      await sim.close();
      return 0;
    }
    default:
      process.stderr.write(`Lệnh không biết: ${command}\n${USAGE}\n`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isScanError(error)) {
      print({ error: error.toInfo() });
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
