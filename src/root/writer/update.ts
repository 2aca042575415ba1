/**
 * Reads what update mode needs from an existing ROOT file: where it ends, its directories (their
 * record positions and keys) and its StreamerInfo payload, which is kept and extended at close.
 */
import { HepflowError } from "../../util/index.js";
import { openFile } from "../file.js";
import { type Directory, isDirectoryClass } from "../directory.js";
import type { CompressionSetting } from "../compression.js";
import { readKey } from "../key.js";
import { Cursor } from "../cursor.js";
import type { DirState } from "./file.js";
import type { KeyRecord } from "./keys.js";

export interface ExistingFile {
  end: number;
  title: string;
  compression: CompressionSetting;
  dirs: DirState[];
  classes: string[];
  /** The old StreamerInfo list and its key length (its class tags count from the key start). */
  streamerInfo: { payload: Uint8Array; keyLen: number } | null;
}

/** Loads the directory tree and StreamerInfo of `path` for updating. */
export async function loadExisting(path: string): Promise<ExistingFile> {
  const file = await openFile(path);
  try {
    const h = file.header;
    const dirs: DirState[] = [];
    const topKey = await file.source.read(h.begin, h.nbytesName);
    // The top directory's title follows its name right after the key header.
    const title = readTopTitle(topKey);
    const walk = async (dir: Directory, state: DirState): Promise<void> => {
      dirs.push(state);
      for (const k of dir.keys) {
        state.keys.push({ nbytes: k.nbytes, objLen: k.objLen, datime: k.datime, keyLen: k.keyLen, cycle: k.cycle, seekKey: k.seekKey, seekPdir: k.seekPdir, className: k.className, name: k.name, title: k.title } satisfies KeyRecord);
        if (isDirectoryClass(k.className)) {
          const sub = await dir.subdirectory(k);
          await walk(sub, { path: sub.path, name: k.name, title: k.title, seekDir: k.seekKey, seekParent: state.seekDir, recordAt: k.seekKey + k.keyLen, nbytesName: k.keyLen, keys: [], className: k.className });
        }
      }
    };
    const root = file.root!;
    const name = path.split("/").pop()!;
    await walk(root, { path: "", name, title, seekDir: h.begin, seekParent: 0, recordAt: h.begin + h.nbytesName, nbytesName: h.nbytesName, keys: [], className: "TFile" });
    let streamerInfo: ExistingFile["streamerInfo"] = null;
    if (h.seekInfo > 0 && h.nbytesInfo > 0) {
      const head = await file.source.read(h.seekInfo, h.nbytesInfo);
      const key = readKey(new Cursor(head, 0, { file: path, object: "StreamerInfo", base: h.seekInfo }));
      streamerInfo = { payload: await file.readKeyPayload(key), keyLen: key.keyLen };
    }
    return { end: h.end, title, compression: h.compression, dirs, classes: [], streamerInfo };
  } catch (e) {
    if (e instanceof HepflowError) throw e;
    throw new HepflowError("ROOT_WRITE", `cannot open for update: ${(e as Error).message}`, { file: path }, { cause: e });
  } finally {
    await file.close();
  }
}

function readTopTitle(bytes: Uint8Array): string {
  // Key header: nbytes(4) version(2) objlen(4) datime(4) keylen(2) ... ; the key's title is the
  // file title, and the key is followed by name and title strings again.
  const keyLen = (bytes[16]! << 8) | bytes[17]!;
  let p = keyLen;
  const str = (): string => {
    let n = bytes[p++]!;
    if (n === 255) {
      n = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
      p += 4;
    }
    const s = Buffer.from(bytes.subarray(p, p + n)).toString("utf8");
    p += n;
    return s;
  };
  str();
  return str();
}
