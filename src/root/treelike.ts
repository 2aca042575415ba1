import type { Columns } from "../util/index.js";

/** One branch (TTree) or top-level/leaf field (RNTuple) as listed by `ls` and chosen by `arrays`. */
export interface BranchInfo {
  name: string;
  /** C++ type as ROOT names it: "Float_t", "Int_t[nJet]", "std::vector<float>", "float". */
  typeName: string;
  /** For a counted collection: the branch or field that holds the counts (e.g. "nJet"). */
  counter?: string;
  compressedBytes: number;
  uncompressedBytes: number;
  /**
   * TTree: bytes of baskets kept inside the TTree's own key (ROOT writes the last, unfilled basket
   * there). They are compressed together with the tree's metadata, so they have no compressed
   * size of their own and are not in compressedBytes/uncompressedBytes.
   */
  embeddedBytes?: number;
  /** Free text, e.g. RNTuple column encodings. */
  detail?: string;
}

export interface EntryRange {
  entryStart?: number;
  entryStop?: number;
}

export interface IterateOptions extends EntryRange {
  /** Entries per chunk (rounded to cluster boundaries where cheap). */
  stepSize?: number;
}

/** One chunk of `iterate`: the columns for entries [entryStart, entryStop). */
export interface ColumnChunk {
  entryStart: number;
  entryStop: number;
  columns: Columns;
}

/**
 * What an analysis reads events from: a TTree or an RNTuple, behind the same calls.
 * `names` are exact names or globs ("Jet_*"); omitted means all.
 */
export interface TreeLike {
  readonly kind: "TTree" | "RNTuple";
  readonly name: string;
  readonly numEntries: number;
  readonly branches: readonly BranchInfo[];
  arrays(names?: string | readonly string[], range?: EntryRange): Promise<Columns>;
  iterate(names?: string | readonly string[], options?: IterateOptions): AsyncIterable<ColumnChunk>;
  /** Entry numbers where clusters start, plus numEntries at the end: natural chunk boundaries. */
  clusterBoundaries(): number[];
}
