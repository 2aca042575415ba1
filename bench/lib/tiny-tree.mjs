// Bench opener: a synthetic tree of `n` entries cut into clusters of `cluster` ("tiny:<n>:<cluster>"),
// whose one column is never read by the no-op processor: the chunk jobs measure queue overhead only.
export async function openTree(path, treeName) {
  const [, n, cluster] = path.split(":").map(Number);
  const boundaries = [];
  for (let b = 0; b < n; b += cluster) boundaries.push(b);
  boundaries.push(n);
  return {
    kind: "TTree",
    name: treeName,
    numEntries: n,
    branches: [{ name: "x", typeName: "float", compressedBytes: 0, uncompressedBytes: 0 }],
    clusterBoundaries: () => boundaries,
    async arrays(names, range = {}) {
      return Object.fromEntries(names.map((k) => [k, new Float64Array((range.entryStop ?? n) - (range.entryStart ?? 0))]));
    },
    // biome-ignore lint/correctness/useYield: the interface needs an iterator; this fake is never iterated
    async *iterate() {
      throw new Error("not used");
    },
  };
}
