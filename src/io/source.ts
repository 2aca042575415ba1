/** A byte range: where it starts in the source and how long it is. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Random access to the bytes of one file, wherever it lives (local disk, HTTP, XRootD).
 * Readers ask for exactly the ranges they need; a source may coalesce them.
 */
export interface ByteSource {
  /** Path or URL, used in error messages. */
  readonly name: string;
  /** Total size in bytes. */
  size(): Promise<number>;
  /** Exactly `length` bytes at `offset`; a HepflowError if the file is shorter. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Several ranges at once, results in the order asked; lets remote sources batch requests. */
  readMany(ranges: readonly ByteRange[]): Promise<Uint8Array[]>;
  /** Optional: exactly `dst.length` bytes at `offset` into `dst`, so a reader can reuse its buffers. */
  readInto?(offset: number, dst: Uint8Array): Promise<void>;
  /**
   * Optional: how many read windows a streaming reader should keep in flight ahead of the one it
   * decompresses (default 2). A network source asks for more, so its round trips and the copy out
   * of the socket hide behind decompression the way page-cache reads do.
   */
  readonly readAhead?: number;
  close(): Promise<void>;
}
