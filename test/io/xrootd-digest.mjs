// A digest of decoded columns, so values read in the namespace (over root://) and in the test
// process (from disk) can be compared without shipping every number across a pipe. Equal
// digests mean equal types, lengths, offsets and every value's bytes.
import { createHash } from "node:crypto";

export function digestValue(v, h = createHash("sha256")) {
  if (ArrayBuffer.isView(v)) {
    h.update(`${v.constructor.name}:${v.length}:`);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  } else if (v && typeof v === "object" && "offsets" in v && "content" in v) {
    h.update("jagged:");
    digestValue(v.offsets, h);
    digestValue(v.content, h);
  } else if (Array.isArray(v)) {
    h.update(`array:${v.length}:`);
    for (const x of v) digestValue(x, h);
  } else if (v && typeof v === "object") {
    for (const k of Object.keys(v).sort()) {
      h.update(`key:${k}:`);
      digestValue(v[k], h);
    }
  } else {
    h.update(`${typeof v}:${String(v)};`);
  }
  return h;
}

/** Every readable tree of a file: { "tree/branch": sha256 } (unreadable branches: "error:CODE"). */
export async function digestFile(file) {
  const out = {};
  for (const k of await file.keys({ recursive: true })) {
    if (!/^(TTree|TNtuple|TNtupleD|ROOT::(Experimental::)?RNTuple)$/.test(k.className)) continue;
    let tree;
    try {
      tree = await file.tree(k.path);
    } catch (e) {
      out[k.path] = `error:${e.code ?? e.message}`;
      continue;
    }
    for (const b of tree.branches) {
      if (b.detail?.startsWith("container")) continue;
      try {
        const cols = await tree.arrays([b.name]);
        out[`${k.path}/${b.name}`] = digestValue(cols[b.name]).digest("hex");
      } catch (e) {
        out[`${k.path}/${b.name}`] = `error:${e.code ?? e.message}`;
      }
    }
  }
  return out;
}
