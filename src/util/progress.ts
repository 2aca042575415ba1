/** A progress event emitted by long work; the CLI renders it, libraries only emit it. */
export interface ProgressEvent {
  /** What is being done, e.g. "events", "files", "toys". */
  unit: string;
  done: number;
  total?: number;
  /** Units per second over the work so far. */
  rate?: number;
  /** Free text: the current file, stage or sample. */
  label?: string;
}

export type ProgressListener = (e: ProgressEvent) => void;
