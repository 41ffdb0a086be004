// WIA (Windows): the generated PowerShell and the parsing of its output, testable on any OS. The COM
// calls themselves need Windows and a scanner; they are not run here.

import { describe, expect, it } from 'vitest';
import {
  devicesFromOutput,
  listScript,
  pagesFromOutput,
  psString,
  scanScript,
  WIA,
  wiaErrorCode,
} from '../../../scanner/devices/wia.js';
import { ScanError } from '../../../scanner/errors.js';

describe('WIA scripts', () => {
  it('lists scanners through WIA.DeviceManager only (type 1)', () => {
    const s = listScript();
    expect(s).toContain('New-Object -ComObject WIA.DeviceManager');
    expect(s).toContain('$info.Type -ne 1');
    expect(s).toContain('ConvertTo-Json -Compress');
  });

  it('sets resolution, intent, extent and the feeder for a scan, and writes PNG pages', () => {
    const s = scanScript(
      '{6BDD1FC6-810F-11D0-BEC7-08002BE2092F}\\0001',
      { resolution: 300, colorMode: 'gray', source: 'feeder', pageSize: 'A4', maxPages: 5 },
      "C:\\Users\\cán bộ\\O'Neil",
    );
    expect(s).toContain(`SetProp $device.Properties ${WIA.DPS_DOCUMENT_HANDLING_SELECT} ${WIA.FEEDER}`);
    expect(s).toContain(`SetProp $item.Properties ${WIA.IPS_XRES} 300`);
    expect(s).toContain(`SetProp $item.Properties ${WIA.IPS_CUR_INTENT} ${WIA.INTENT_GRAY}`);
    expect(s).toContain(`SetProp $item.Properties ${WIA.IPS_XEXTENT} 2480`);
    expect(s).toContain(`SetProp $item.Properties ${WIA.IPS_YEXTENT} 3508`);
    expect(s).toContain('$index -lt 5');
    expect(s).toContain(WIA.FORMAT_PNG);
    // quotes in paths cannot break out of the string literal
    expect(s).toContain("'C:\\Users\\cán bộ\\O''Neil'");
    const flatbed = scanScript(
      'X',
      { resolution: 150, colorMode: 'color', source: 'flatbed', pageSize: 'A5' },
      'C:\\t',
    );
    expect(flatbed).toContain(`${WIA.DPS_DOCUMENT_HANDLING_SELECT} ${WIA.FLATBED}`);
    expect(flatbed).toContain('$index -lt 1');
    expect(psString("a'b")).toBe("'a''b'");
  });
});

describe('WIA output', () => {
  it('parses devices and ignores PowerShell noise', () => {
    const out =
      'WARNING: something\r\n{"event":"device","id":"{6BDD}\\\\0001","name":"Canon DR-C225","vendor":"Canon"}\r\n{"event":"done"}\r\n';
    expect(devicesFromOutput(out)).toEqual([
      { id: 'wia:{6BDD}\\0001', backend: 'wia', name: 'Canon DR-C225', vendor: 'Canon' },
    ]);
  });

  it('parses a feeder batch into pages', () => {
    const out = [
      '{"event":"progress","page":1}',
      '{"event":"page","index":0,"path":"C:\\\\t\\\\page-0001.png","width":2480,"height":3508}',
      '{"event":"progress","page":2}',
      '{"event":"page","index":1,"path":"C:\\\\t\\\\page-0002.png","width":2480,"height":3508}',
      '{"event":"done","pages":2}',
    ].join('\r\n');
    const pages = pagesFromOutput(out, 300);
    expect(pages.map((p) => p.path)).toEqual(['C:\\t\\page-0001.png', 'C:\\t\\page-0002.png']);
  });

  it.each([
    ['0x80210003', 'feeder_empty'],
    ['0x80210002', 'jammed'],
    ['0x80210016', 'cover_open'],
    ['0x80210006', 'busy'],
    ['0x80210015', 'no_device'],
    ['0x80004004', 'cancelled'],
    ['0x80070005', 'io'],
  ] as const)('maps HRESULT %s to %s, keeping pages delivered before it', (hresult, code) => {
    expect(wiaErrorCode(hresult)).toBe(code);
    const out = `{"event":"page","index":0,"path":"p1.png","width":1,"height":1}\n{"event":"error","hresult":"${hresult}","message":"x","pages":1}`;
    const error = (() => {
      try {
        pagesFromOutput(out, 300);
        return null;
      } catch (e) {
        return e as ScanError;
      }
    })();
    expect(error?.code).toBe(code);
    expect(error?.partialPages).toHaveLength(1);
  });

  it('treats output that stops without "done" as an I/O error', () => {
    expect(() => pagesFromOutput('{"event":"progress","page":1}', 300)).toThrow(ScanError);
  });
});
