// Shared by the robustness and fault-injection suites: where a ROOT file keeps what they mutate.

/**
 * The file header's fSeekInfo (streamer infos). Below version 1000000 the seeks are 32-bit:
 * fSeekInfo is at byte 37 and byte 41 holds fNbytesInfo; above, 64-bit at byte 45.
 */
export function seekInfoOf(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getInt32(4) >= 1000000 ? Number(view.getBigInt64(45)) : view.getInt32(37);
}
