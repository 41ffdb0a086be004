// Typings for the packages the workstation uses that ship none. pino-roll: the part of its API the
// workstation's log uses (electron/workstation/log.ts).
declare module 'pino-roll' {
  import type SonicBoom from 'sonic-boom';
  type Options = {
    file: string;
    size?: string | number;
    frequency?: string | number;
    extension?: string;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    mkdir?: boolean;
    sync?: boolean;
  };
  export default function roll(options: Options): Promise<SonicBoom>;
}

// proxy-from-env ships no typings: its one function (electron/workstation/sync/network.ts).
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY, or "". */
  export function getProxyForUrl(url: string): string;
}
