// A HID bus for tests and the e2e host (test mode only): readers "plugged in" and "scanning" by
// feeding HID-POS input reports at the node-hid boundary (`HidBackend`), so everything above it — report
// reassembly, strict UTF-8, the reader watcher, the dossier lookup, the renderer — runs for real.

import { EventEmitter } from 'node:events';
import {
  buildHidPosReports,
  type HidBackend,
  type HidDeviceInfo,
  type HidHandle,
} from '../../../scanner/hid/hidPos.js';

class FakeHandle extends EventEmitter implements HidHandle {
  close(): void {
    this.removeAllListeners();
  }
}

export type FakeHidBus = {
  backend: HidBackend;
  /** a HID-POS reader appears on the bus (the watcher opens it on its next poll) */
  plug(path?: string): void;
  unplug(path?: string): void;
  /** the reader scans `text`: its reports arrive on the open handle; false when no handle is open */
  scan(text: string, path?: string): boolean;
  isOpen(path?: string): boolean;
};

const DEFAULT_PATH = 'test-hid-pos-0';

export function createFakeHidBus(): FakeHidBus {
  const devices = new Map<string, HidDeviceInfo>();
  const handles = new Map<string, FakeHandle>();
  return {
    backend: {
      devices: async () => [...devices.values()],
      open: async (path) => {
        if (!devices.has(path)) throw new Error('no such device');
        const h = new FakeHandle();
        handles.set(path, h);
        return h;
      },
    },
    plug(path = DEFAULT_PATH) {
      devices.set(path, {
        path,
        vendorId: 0x0c2e,
        productId: 0x0b61,
        manufacturer: 'Máy đọc thử',
        product: 'HID-POS',
        usagePage: 0x8c,
        usage: 0x02,
      });
    },
    unplug(path = DEFAULT_PATH) {
      devices.delete(path);
      handles.get(path)?.emit('error', new Error('unplugged'));
      handles.delete(path);
    },
    scan(text, path = DEFAULT_PATH) {
      const h = handles.get(path);
      if (!h) return false;
      for (const report of buildHidPosReports(text)) h.emit('data', report);
      return true;
    },
    isOpen(path = DEFAULT_PATH) {
      return handles.has(path);
    },
  };
}
