/**
 * Serialises the RNTuple metadata (binary format 1.0): header, footer and page list envelopes
 * (type + length preamble, XXH3-64 trailer) and the big-endian, checksummed anchor. The writing
 * twin of rntuple/metadata.ts.
 */
import { xxh3_64 } from "../../rntuple/checksum.js";
import { LEWriter } from "./bytes.js";
import type { ColumnRecord, FieldRecord } from "./schema.js";

const ENVELOPE_HEADER = 1,
  ENVELOPE_FOOTER = 2,
  ENVELOPE_PAGELIST = 3;

export interface Locator {
  offset: number;
  size: number;
}

/** A stored page: element count and where its (compressed) bytes are; always checksummed. */
export interface PageRecord {
  numElements: number;
  locator: Locator;
}

/** One column's pages in one cluster. */
export interface ColumnPages {
  pages: PageRecord[];
  /** Index of the cluster's first element of this column over the whole RNTuple. */
  firstElement: number;
  compression: number;
}

export interface ClusterRecord {
  firstEntry: number;
  numEntries: number;
  /** Indexed by physical column id. */
  columns: ColumnPages[];
}

/** Anchor fields, as the `ROOT::RNTuple` object stores them. */
export interface AnchorRecord {
  seekHeader: number;
  nbytesHeader: number;
  lenHeader: number;
  seekFooter: number;
  nbytesFooter: number;
  lenFooter: number;
}

/** Wraps `body` into an envelope: u64 (type | length << 16), body, XXH3 of everything before. */
function envelope(type: number, body: (w: LEWriter) => void): { bytes: Uint8Array; checksum: bigint } {
  const w = new LEWriter();
  w.u64(0);
  body(w);
  const length = w.pos + 8;
  const out = w.bytes();
  new DataView(out.buffer, out.byteOffset).setBigUint64(0, BigInt(type) | (BigInt(length) << 16n), true);
  const checksum = xxh3_64(out);
  w.u64(checksum);
  return { bytes: w.bytes().slice(), checksum };
}

function noFeatures(w: LEWriter): void {
  w.u64(0);
}

function locator(w: LEWriter, l: Locator): void {
  w.i32(l.size);
  w.u64(l.offset);
}

function schemaLists(w: LEWriter, fields: FieldRecord[], columns: ColumnRecord[]): void {
  w.list(fields, (f) =>
    w.record(() => {
      w.u32(0);
      w.u32(0); // field and type version
      w.u32(f.parentId);
      w.u16(f.role);
      w.u16(0); // flags: no array size, no projection, no type checksum
      w.str(f.name);
      w.str(f.typeName);
      w.str("");
      w.str("");
    }),
  );
  w.list(columns, (c) =>
    w.record(() => {
      w.u16(c.type);
      w.u16(c.bits);
      w.u32(c.fieldId);
      w.u16(0); // flags: not deferred, no value range
      w.u16(0); // representation index
    }),
  );
  w.list([], () => undefined); // alias columns
  w.list([], () => undefined); // extra type information
}

/** The header envelope; its checksum ties footer and page lists to it. */
export function headerEnvelope(name: string, description: string, fields: FieldRecord[], columns: ColumnRecord[]): { bytes: Uint8Array; checksum: bigint } {
  return envelope(ENVELOPE_HEADER, (w) => {
    noFeatures(w);
    w.str(name);
    w.str(description);
    w.str("hepflow");
    schemaLists(w, fields, columns);
  });
}

/** One page list envelope for a cluster group. */
export function pageListEnvelope(headerChecksum: bigint, clusters: ClusterRecord[]): Uint8Array {
  return envelope(ENVELOPE_PAGELIST, (w) => {
    w.u64(headerChecksum);
    w.list(clusters, (c) =>
      w.record(() => {
        w.u64(c.firstEntry);
        w.u64(c.numEntries); // cluster flags (top byte) 0: not sharded
      }),
    );
    w.list(clusters, (c) =>
      w.list(c.columns, (col) => {
        // A column's page list is a list frame whose tail holds its first element index and compression.
        w.list(
          col.pages,
          (p) => {
            w.i32(-p.numElements); // negative: the page is followed by its XXH3
            locator(w, p.locator);
          },
          () => {
            w.i64(col.firstElement);
            w.u32(col.compression);
          },
        );
      }),
    );
  }).bytes;
}

/** The footer envelope: one cluster group holding all clusters. */
export function footerEnvelope(headerChecksum: bigint, group: { numEntries: number; numClusters: number; pageListLength: number; pageList: Locator }): Uint8Array {
  return envelope(ENVELOPE_FOOTER, (w) => {
    noFeatures(w);
    w.u64(headerChecksum);
    w.record(() => schemaLists(w, [], [])); // empty schema extension
    w.list([group], (g) =>
      w.record(() => {
        w.u64(0);
        w.u64(g.numEntries);
        w.u32(g.numClusters);
        w.u64(g.pageListLength);
        locator(w, g.pageList);
      }),
    );
  }).bytes;
}

/** The anchor object's payload: ROOT byte count and class version, then big-endian fields and their XXH3. */
export function anchorPayload(a: AnchorRecord, maxKeySize: number): Uint8Array {
  const FIELDS = 8 + 7 * 8;
  const out = new Uint8Array(6 + FIELDS + 8);
  const v = new DataView(out.buffer);
  // The byte count covers the class version and the fields; the checksum follows outside it (as ROOT writes it).
  v.setUint32(0, (0x40000000 | (2 + FIELDS)) >>> 0, false);
  v.setUint16(4, 2, false); // ROOT::RNTuple class version
  const at = 6;
  [1, 0, 0, 0].forEach((x, i) => v.setUint16(at + 2 * i, x, false));
  [a.seekHeader, a.nbytesHeader, a.lenHeader, a.seekFooter, a.nbytesFooter, a.lenFooter, maxKeySize].forEach((x, i) => v.setBigUint64(at + 8 + 8 * i, BigInt(x), false));
  v.setBigUint64(at + FIELDS, xxh3_64(out.subarray(at, at + FIELDS)), false);
  return out;
}
