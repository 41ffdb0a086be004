// The Electron shell's permission rule (electron/shell/mediaPermission.ts): the camera, video only,
// for the app's own main frame at app://workstation; everything else denied.
import { describe, expect, it } from 'vitest';
import { allowPermission, isAppOrigin, type PermissionAsk } from '../../../electron/shell/mediaPermission.js';

const APP = { scheme: 'app', host: 'workstation' };
const camera: PermissionAsk = {
  permission: 'media',
  origins: ['app://workstation/index.html', 'app://workstation/'],
  mediaTypes: ['video'],
  isMainFrame: true,
};
const allow = (over: Partial<PermissionAsk>): boolean => allowPermission({ ...camera, ...over }, APP);

describe('media permission', () => {
  it("grants the camera to the app's page, as a request and as a check", () => {
    expect(allow({})).toBe(true);
    // the check names the origin without a path, and securityOrigin may be missing
    expect(allow({ origins: ['app://workstation', undefined, 'app://workstation/index.html'] })).toBe(true);
  });

  it('never the microphone, alone or with the camera, nor an unknown media type', () => {
    expect(allow({ mediaTypes: ['audio'] })).toBe(false);
    expect(allow({ mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(allow({ mediaTypes: ['unknown'] })).toBe(false);
    expect(allow({ mediaTypes: [] })).toBe(false);
  });

  it('no other permission, even for the app', () => {
    for (const permission of [
      'notifications',
      'geolocation',
      'display-capture',
      'clipboard-read',
      'openExternal',
      'hid',
      'usb',
      'serial',
      'fileSystem',
      'unknown',
    ])
      expect(allow({ permission })).toBe(false);
  });

  it('not for any other origin, a look-alike, a sub-frame, or an asker without an origin', () => {
    for (const origin of [
      'https://workstation/',
      'http://127.0.0.1:5391/',
      'app://workstation.example/',
      'app://evil/',
      'app://user@workstation/',
      'blob:app://workstation/5a0c',
      'file:///C:/app/index.html',
      'devtools://devtools/',
      'not a url',
    ])
      expect(allow({ origins: [origin] }), origin).toBe(false);
    // one wrong name among right ones is enough to refuse
    expect(allow({ origins: ['app://workstation/', 'https://evil.example/'] })).toBe(false);
    expect(allow({ isMainFrame: false })).toBe(false);
    expect(allow({ origins: [] })).toBe(false);
    expect(allow({ origins: [undefined, ''] })).toBe(false);
  });

  it('compares scheme and host: app:// has no WHATWG origin', () => {
    expect(new URL('app://workstation/').origin).toBe('null');
    expect(isAppOrigin('APP://Workstation/x', 'app', 'workstation')).toBe(true);
    expect(isAppOrigin(undefined, 'app', 'workstation')).toBe(false);
  });
});
