/** Where in the user's input a problem was found; every field optional because not every layer knows all of them. */
export interface ErrorPlace {
  /** File path or URL. */
  file?: string;
  /** Object inside the file: key path, branch, field, JSON path, config key. */
  object?: string;
  /** Byte offset in the file. */
  offset?: number;
}

/**
 * The one error family of hepflow. `code` is stable (tests and callers switch on it);
 * the message names the place so a user can act on it without a stack trace.
 */
export class HepflowError extends Error {
  readonly code: string;
  readonly file?: string;
  readonly object?: string;
  readonly offset?: number;

  constructor(code: string, message: string, place: ErrorPlace = {}, options?: { cause?: unknown }) {
    super(HepflowError.format(message, place), options);
    this.name = "HepflowError";
    this.code = code;
    this.file = place.file;
    this.object = place.object;
    this.offset = place.offset;
  }

  private static format(message: string, place: ErrorPlace): string {
    const where: string[] = [];
    if (place.file !== undefined) where.push(place.file);
    if (place.object !== undefined) where.push(place.object);
    if (place.offset !== undefined) where.push(`byte ${place.offset}`);
    return where.length ? `${where.join(": ")}: ${message}` : message;
  }
}

/** True when `e` is a HepflowError, optionally of the given code. */
export function isHepflowError(e: unknown, code?: string): e is HepflowError {
  return e instanceof HepflowError && (code === undefined || e.code === code);
}
