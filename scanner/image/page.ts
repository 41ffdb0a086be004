// A page as the scanner part passes it around: one decoded page of a scan or file, as PNG or JPEG
// bytes with its size and resolution. Its own module so that the loader (load.ts) and the pixel cache
// (grey.ts), which need each other's work, do not import each other.

export type PageImage = {
  /** 0-based page of the input */
  index: number;
  /** encoded PNG or JPEG bytes that sharp and zxing both read */
  bytes: Buffer;
  width: number;
  height: number;
  /** dots per inch from the file (or the PDF rasterisation); null when the file does not say */
  dpi: number | null;
};
