// All document-scanner backends behind one object: list devices from each (a backend that fails to
// answer is skipped, never fatal), and route capabilities/scan calls by the device id's prefix.

import { platform } from 'node:os';
import type { ScanRequest, ScannedPage, ScannerCapabilities, ScannerDevice } from '../../contract/scan.js';
import { ScanError } from '../errors.js';
import { EsclDriver, type EsclOptions } from './escl.js';
import { SaneDriver, type SaneOptions } from './sane.js';
import { WiaDriver, type WiaOptions } from './wia.js';
import { splitDeviceId, type ScanRun, type ScannerDriver, type ScannerLog } from './types.js';

export type HubOptions = {
  /** SANE (Linux, macOS); false to leave it out */
  sane?: SaneOptions | false;
  /** configured eSCL scanners (network) */
  escl?: EsclOptions;
  /** WIA (Windows only) */
  wia?: WiaOptions | false;
  /** further drivers */
  drivers?: ScannerDriver[];
  /** told of a backend left out of a list because it failed */
  log?: ScannerLog;
};

export class ScannerHub {
  readonly drivers: ScannerDriver[];
  private readonly log: ScannerLog | undefined;

  constructor(drivers: ScannerDriver[], log?: ScannerLog) {
    this.drivers = drivers;
    this.log = log;
  }

  async list(): Promise<ScannerDevice[]> {
    const lists = await Promise.all(
      this.drivers.map((d) =>
        d.list().catch((err: unknown) => {
          this.log?.warn({ backend: d.backend, err }, 'scanner backend did not list its devices');
          return [] as ScannerDevice[];
        }),
      ),
    );
    return lists.flat();
  }

  private driverFor(deviceId: string): ScannerDriver {
    const [backend] = splitDeviceId(deviceId);
    const driver = this.drivers.find((d) => d.backend === backend);
    if (!driver) throw new ScanError('no_device', `Không có trình điều khiển cho thiết bị "${deviceId}".`);
    return driver;
  }

  capabilities(deviceId: string): Promise<ScannerCapabilities> {
    return this.driverFor(deviceId).capabilities(deviceId);
  }

  scan(deviceId: string, request: ScanRequest, run: ScanRun): Promise<ScannedPage[]> {
    return this.driverFor(deviceId).scan(deviceId, request, run);
  }
}

export function defaultDrivers(options: HubOptions = {}): ScannerDriver[] {
  const drivers: ScannerDriver[] = [];
  if (options.sane !== false && platform() !== 'win32') drivers.push(new SaneDriver(options.sane || {}));
  if (options.escl && options.escl.urls.length > 0)
    drivers.push(new EsclDriver({ ...(options.log ? { log: options.log } : {}), ...options.escl }));
  if (options.wia !== false && platform() === 'win32') drivers.push(new WiaDriver(options.wia || {}));
  drivers.push(...(options.drivers ?? []));
  return drivers;
}
