// Which permission asks the Electron shell grants, as one pure function (no Electron import, so it is
// unit-tested in Node; security.ts hands Electron's handlers to it). Everything is denied except
// the camera for "Chụp ảnh": the `media` permission, video only (never the microphone), asked by
// the app's own main frame at app://workstation. Electron consults it twice: the permission
// request (getUserMedia: details.mediaTypes, requestingUrl, securityOrigin) and the permission check
// (enumerateDevices' labels and the Permissions API: details.mediaType, requestingOrigin,
// securityOrigin).
//
// Origins are compared as scheme + host: app:// is not a WHATWG "special" scheme, so
// new URL('app://workstation/').origin is the string "null" and cannot be compared as an origin (and
// its host keeps its case: hosts are compared in lower case).

export type PermissionAsk = {
  /** Electron's permission name ('media', 'notifications', 'geolocation', …) */
  permission: string;
  /** every URL or origin Electron names for the asker (requestingUrl, requestingOrigin, securityOrigin) */
  origins: ReadonlyArray<string | undefined>;
  /** a request's media (details.mediaTypes) or a check's (details.mediaType: 'unknown' for neither) */
  mediaTypes: ReadonlyArray<string>;
  /** false for a sub-frame (the print layer's PDF frame, anything embedded) */
  isMainFrame: boolean;
};

/** app://workstation, its pages and its origin in any of the spellings Electron uses. */
export function isAppOrigin(url: string | undefined, scheme: string, host: string): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return (
      u.protocol === `${scheme}:` && u.host.toLowerCase() === host && u.username === '' && u.password === ''
    );
  } catch {
    return false;
  }
}

/** True only for the app's own main frame asking for the camera alone. */
export function allowPermission(ask: PermissionAsk, app: { scheme: string; host: string }): boolean {
  if (ask.permission !== 'media' || !ask.isMainFrame) return false;
  if (ask.mediaTypes.length === 0 || ask.mediaTypes.some((t) => t !== 'video')) return false;
  const named = ask.origins.filter((o): o is string => o !== undefined && o !== '');
  return named.length > 0 && named.every((o) => isAppOrigin(o, app.scheme, app.host));
}
