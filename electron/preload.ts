// Preload (sandboxed): exposes exactly the typed WorkstationApi as `window.workstation` — one invoke
// channel and one event channel, nothing of ipcRenderer itself.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { WorkstationApi, WsEvent } from '../contract/workstation.js';

const api = {
  call: (method, input) => ipcRenderer.invoke('ws:call', method, input),
  on: (listener) => {
    const handler = (_event: IpcRendererEvent, e: WsEvent): void => listener(e);
    ipcRenderer.on('ws:event', handler);
    return () => {
      ipcRenderer.removeListener('ws:event', handler);
    };
  },
} satisfies WorkstationApi;

contextBridge.exposeInMainWorld('workstation', api);
