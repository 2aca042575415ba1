/**
 * Block-arrow Hessians. A parameter whose modifiers all act on one main-data bin (staterror,
 * shapesys, shapefactor γ's, or anything else touching a single bin) couples to other parameters
 * only through that bin, so after ordering the parameters as [per-bin ones grouped by bin | the
 * rest ("global")] the Hessian is
 *
 *     H = [ D   B ]     D: block diagonal, one small block per bin (its per-bin parameters)
 *         [ Bᵀ  G ]     B: per-bin × global couplings, G: global × global (dense)
 *
 * Newton steps use the Schur complement S = G − Bᵀ D⁻¹ B: factor each block of D (O(P) in total),
 * factor S (g × g), and back-substitute. Covariances come from the same factors:
 *     H⁻¹ = [ D⁻¹ + W S⁻¹ Wᵀ   −W S⁻¹ ]      with W = D⁻¹ B,
 *           [ −S⁻¹ Wᵀ           S⁻¹   ]
 * which is exactly the dense inverse (same matrix, different elimination order).
 */
import { cholesky, choleskySolve } from "./linalg.js";

/** Which parameters are per-bin (and in which block) and which are global. */
export class HessianStructure {
  /** Per parameter: ≥ 0 → index among the global parameters; < 0 → −(index among the per-bin ones) − 1. */
  readonly slot: Int32Array;
  /** Global parameter indices, in parameter order. */
  readonly global: Int32Array;
  /** Per-bin parameter indices, grouped block by block. */
  readonly local: Int32Array;
  /** Block k holds local[blockStart[k] .. blockStart[k+1]). */
  readonly blockStart: Int32Array;
  /** Offset of block k's dense m_k × m_k storage in BlockArrowMatrix.D. */
  readonly blockOffset: Int32Array;
  /** Block of each per-bin parameter (by its index in `local`). */
  readonly blockOf: Int32Array;
  readonly npars: number;

  /**
   * @param bins for every parameter the main-data bins its modifier entries touch (deduplicated or not);
   *   a parameter touching exactly one bin is per-bin, one touching none forms a block of its own.
   */
  constructor(bins: ArrayLike<number>[]) {
    const n = bins.length;
    this.npars = n;
    const oneBin = new Int32Array(n).fill(-2); // −2: no bins, −1: several, ≥ 0 the bin
    for (let p = 0; p < n; p++) {
      const bs = bins[p]!;
      for (let i = 0; i < bs.length; i++) {
        if (oneBin[p] === -2) oneBin[p] = bs[i]!;
        else if (oneBin[p] !== bs[i]) {
          oneBin[p] = -1;
          break;
        }
      }
    }
    const global: number[] = [];
    const groups = new Map<string, number[]>();
    for (let p = 0; p < n; p++) {
      if (oneBin[p] === -1) global.push(p);
      else {
        const key = oneBin[p] === -2 ? `p${p}` : `b${oneBin[p]}`;
        const l = groups.get(key);
        if (l) l.push(p);
        else groups.set(key, [p]);
      }
    }
    this.global = Int32Array.from(global);
    const blocks = [...groups.values()];
    this.local = Int32Array.from(blocks.flat());
    this.blockStart = new Int32Array(blocks.length + 1);
    this.blockOffset = new Int32Array(blocks.length + 1);
    this.blockOf = new Int32Array(this.local.length);
    blocks.forEach((b, k) => {
      this.blockStart[k + 1] = this.blockStart[k]! + b.length;
      this.blockOffset[k + 1] = this.blockOffset[k]! + b.length * b.length;
      this.blockOf.fill(k, this.blockStart[k], this.blockStart[k + 1]);
    });
    this.slot = new Int32Array(n);
    this.global.forEach((p, i) => (this.slot[p] = i));
    this.local.forEach((p, i) => (this.slot[p] = -i - 1));
  }

  get nblocks(): number {
    return this.blockStart.length - 1;
  }

  /** Storage for a matrix of this structure. */
  matrix(): BlockArrowMatrix {
    return new BlockArrowMatrix(this);
  }
}

/** A symmetric matrix stored in block-arrow form (see the module comment). */
export class BlockArrowMatrix {
  readonly D: Float64Array;
  readonly B: Float64Array;
  readonly G: Float64Array;
  readonly g: number;

  constructor(readonly s: HessianStructure) {
    this.g = s.global.length;
    this.D = new Float64Array(s.blockOffset[s.nblocks]!);
    this.B = new Float64Array(s.local.length * this.g);
    this.G = new Float64Array(this.g * this.g);
  }

  zero(): void {
    this.D.fill(0);
    this.B.fill(0);
    this.G.fill(0);
  }

  /** H[p][q] += v and H[q][p] += v (so p = q adds 2v to the diagonal), as a dense symmetric accumulation would. */
  addSym(p: number, q: number, v: number): void {
    const s = this.s;
    const sp = s.slot[p]!;
    const sq = s.slot[q]!;
    if (sp >= 0 && sq >= 0) {
      this.G[sp * this.g + sq]! += v;
      this.G[sq * this.g + sp]! += v;
    } else if (sp < 0 && sq < 0) {
      const lp = -sp - 1;
      const lq = -sq - 1;
      const k = s.blockOf[lp]!;
      if (s.blockOf[lq] !== k) throw new Error(`internal: parameters ${p} and ${q} are in different per-bin blocks but couple`);
      const b0 = s.blockStart[k]!;
      const m = s.blockStart[k + 1]! - b0;
      const o = s.blockOffset[k]!;
      this.D[o + (lp - b0) * m + (lq - b0)]! += v;
      this.D[o + (lq - b0) * m + (lp - b0)]! += v;
    } else if (sp < 0) this.B[(-sp - 1) * this.g + sq]! += v;
    else this.B[(-sq - 1) * this.g + sp]! += v;
  }

  /** H[p][p] += v. */
  addDiag(p: number, v: number): void {
    const s = this.s;
    const sp = s.slot[p]!;
    if (sp >= 0) this.G[sp * this.g + sp]! += v;
    else {
      const lp = -sp - 1;
      const k = s.blockOf[lp]!;
      const b0 = s.blockStart[k]!;
      const m = s.blockStart[k + 1]! - b0;
      this.D[s.blockOffset[k]! + (lp - b0) * (m + 1)]! += v;
    }
  }

  /** H[p][p]. */
  diag(p: number): number {
    const s = this.s;
    const sp = s.slot[p]!;
    if (sp >= 0) return this.G[sp * this.g + sp]!;
    const lp = -sp - 1;
    const k = s.blockOf[lp]!;
    const b0 = s.blockStart[k]!;
    const m = s.blockStart[k + 1]! - b0;
    return this.D[s.blockOffset[k]! + (lp - b0) * (m + 1)]!;
  }

  /** H[p][q] (for tests and small dense copies). */
  get(p: number, q: number): number {
    const s = this.s;
    const sp = s.slot[p]!;
    const sq = s.slot[q]!;
    if (sp >= 0 && sq >= 0) return this.G[sp * this.g + sq]!;
    if (sp < 0 && sq < 0) {
      const lp = -sp - 1;
      const lq = -sq - 1;
      const k = s.blockOf[lp]!;
      if (s.blockOf[lq] !== k) return 0;
      const b0 = s.blockStart[k]!;
      const m = s.blockStart[k + 1]! - b0;
      return this.D[s.blockOffset[k]! + (lp - b0) * m + (lq - b0)]!;
    }
    return sp < 0 ? this.B[(-sp - 1) * this.g + sq]! : this.B[(-sq - 1) * this.g + sp]!;
  }
}

/**
 * Cholesky factors of the principal submatrix of a BlockArrowMatrix on an active set of parameters,
 * optionally with a Levenberg shift: H_ii += τ·max(|H_ii|, 1e-12·max_j |H_jj|) (the dense solver's rule).
 */
export class BlockArrowFactor {
  private readonly s: HessianStructure;
  /** Per block: active members (positions within the block), their factor. */
  private readonly bMembers: Int32Array[] = [];
  private readonly bL: Float64Array[] = [];
  /** Active global parameters (indices into G) and the factor of the Schur complement. */
  readonly gActive: Int32Array;
  private readonly Sl: Float64Array;
  /** W = D⁻¹ B on active rows/columns: per block, (active members) × (active globals). */
  private readonly W: Float64Array[] = [];
  readonly ok: boolean;

  constructor(
    readonly M: BlockArrowMatrix,
    active: Uint8Array,
    tau = 0,
  ) {
    const s = (this.s = M.s);
    const g = M.g;
    let maxDiag = 0;
    for (let p = 0; p < s.npars; p++) if (active[p]) maxDiag = Math.max(maxDiag, Math.abs(M.diag(p)));
    const shift = (d: number) => (tau === 0 ? 0 : tau * Math.max(Math.abs(d), 1e-12 * (maxDiag || 1)));
    const ga: number[] = [];
    for (let i = 0; i < g; i++) if (active[s.global[i]!]) ga.push(i);
    this.gActive = Int32Array.from(ga);
    const na = ga.length;
    // S starts as G on the active globals (plus shift)
    const S = new Float64Array(na * na);
    for (let a = 0; a < na; a++) {
      for (let b = 0; b < na; b++) S[a * na + b] = M.G[ga[a]! * g + ga[b]!]!;
      S[a * na + a]! += shift(S[a * na + a]!);
    }
    let ok = true;
    const col = new Float64Array(64);
    for (let k = 0; k < s.nblocks && ok; k++) {
      const b0 = s.blockStart[k]!;
      const m = s.blockStart[k + 1]! - b0;
      const mem: number[] = [];
      for (let i = 0; i < m; i++) if (active[s.local[b0 + i]!]) mem.push(i);
      const ma = mem.length;
      const members = Int32Array.from(mem);
      this.bMembers.push(members);
      const L = new Float64Array(ma * ma);
      const o = s.blockOffset[k]!;
      for (let a = 0; a < ma; a++) {
        for (let b = 0; b < ma; b++) L[a * ma + b] = M.D[o + mem[a]! * m + mem[b]!]!;
        L[a * ma + a]! += shift(L[a * ma + a]!);
      }
      if (ma && !cholesky(L, ma)) ok = false;
      this.bL.push(L);
      // W_k = D_k⁻¹ B_k and S −= B_kᵀ W_k
      const Wk = new Float64Array(ma * na);
      const c = ma <= col.length ? col.subarray(0, ma) : new Float64Array(ma);
      for (let j = 0; j < na && ok && ma; j++) {
        for (let a = 0; a < ma; a++) c[a] = M.B[(b0 + mem[a]!) * g + ga[j]!]!;
        choleskySolve(L, ma, c);
        for (let a = 0; a < ma; a++) Wk[a * na + j] = c[a]!;
      }
      if (ok && ma && na) {
        for (let a = 0; a < ma; a++) {
          const brow = (b0 + mem[a]!) * g;
          for (let i = 0; i < na; i++) {
            const bi = M.B[brow + ga[i]!]!;
            if (bi === 0) continue;
            for (let j = 0; j < na; j++) S[i * na + j]! -= bi * Wk[a * na + j]!;
          }
        }
      }
      this.W.push(Wk);
    }
    // symmetrise S against rounding in the accumulation before factoring
    for (let i = 0; i < na; i++) {
      for (let j = 0; j < i; j++) {
        const v = 0.5 * (S[i * na + j]! + S[j * na + i]!);
        S[i * na + j] = v;
        S[j * na + i] = v;
      }
    }
    if (ok && na && !cholesky(S, na)) ok = false;
    this.Sl = S;
    this.ok = ok;
  }

  /** Solve H_aa x = r in place; r and x are full-length parameter vectors (inactive entries are left alone). */
  solve(r: Float64Array): void {
    const s = this.s;
    const na = this.gActive.length;
    const rg = new Float64Array(na);
    for (let a = 0; a < na; a++) rg[a] = r[s.global[this.gActive[a]!]!]!;
    const y: Float64Array[] = [];
    for (let k = 0; k < s.nblocks; k++) {
      const mem = this.bMembers[k]!;
      const b0 = s.blockStart[k]!;
      const ma = mem.length;
      const yk = new Float64Array(ma);
      for (let a = 0; a < ma; a++) yk[a] = r[s.local[b0 + mem[a]!]!]!;
      if (ma) choleskySolve(this.bL[k]!, ma, yk);
      y.push(yk);
      // rg −= B_kᵀ y_k
      const g = this.M.g;
      for (let a = 0; a < ma; a++) {
        const brow = (b0 + mem[a]!) * g;
        for (let j = 0; j < na; j++) rg[j]! -= this.M.B[brow + this.gActive[j]!]! * yk[a]!;
      }
    }
    if (na) choleskySolve(this.Sl, na, rg);
    for (let a = 0; a < na; a++) r[s.global[this.gActive[a]!]!] = rg[a]!;
    for (let k = 0; k < s.nblocks; k++) {
      const mem = this.bMembers[k]!;
      const b0 = s.blockStart[k]!;
      const Wk = this.W[k]!;
      const yk = y[k]!;
      for (let a = 0; a < mem.length; a++) {
        let v = yk[a]!;
        for (let j = 0; j < na; j++) v -= Wk[a * na + j]! * rg[j]!;
        r[s.local[b0 + mem[a]!]!] = v;
      }
    }
  }

  /**
   * The inverse on the active set, as variances (full-length, 0 where inactive) and a function for
   * any covariance entry; `dense()` materialises the full matrix (P² memory: only for moderate P).
   */
  inverse(): StructuredCovariance {
    return new StructuredCovariance(this);
  }

  /** @internal pieces for StructuredCovariance */
  parts(): { s: HessianStructure; bMembers: Int32Array[]; bL: Float64Array[]; W: Float64Array[]; Sl: Float64Array; gActive: Int32Array } {
    return { s: this.s, bMembers: this.bMembers, bL: this.bL, W: this.W, Sl: this.Sl, gActive: this.gActive };
  }
}

/** H⁻¹ in block form: S⁻¹ (dense g × g), per block D_k⁻¹ and W_k S⁻¹. */
export class StructuredCovariance {
  readonly npars: number;
  /** Variances (diagonal of H⁻¹), 0 for inactive parameters. */
  readonly variance: Float64Array;
  private readonly Sinv: Float64Array;
  private readonly Dinv: Float64Array[];
  private readonly WSinv: Float64Array[];
  private readonly W: Float64Array[];
  private readonly na: number;
  /** Per parameter: block k and position a among its active members, or global position; −1 inactive. */
  private readonly where: Int32Array;
  private readonly whereBlock: Int32Array;

  constructor(f: BlockArrowFactor) {
    const { s, bMembers, bL, W, Sl, gActive } = f.parts();
    this.npars = s.npars;
    const na = (this.na = gActive.length);
    this.W = W;
    this.Sinv = new Float64Array(na * na);
    const col = new Float64Array(na);
    for (let j = 0; j < na; j++) {
      col.fill(0);
      col[j] = 1;
      choleskySolve(Sl, na, col);
      for (let i = 0; i < na; i++) this.Sinv[i * na + j] = col[i]!;
    }
    this.where = new Int32Array(s.npars).fill(-1);
    this.whereBlock = new Int32Array(s.npars).fill(-1);
    gActive.forEach((gi, a) => (this.where[s.global[gi]!] = a));
    this.variance = new Float64Array(s.npars);
    for (let a = 0; a < na; a++) this.variance[s.global[gActive[a]!]!] = this.Sinv[a * na + a]!;
    this.Dinv = [];
    this.WSinv = [];
    for (let k = 0; k < s.nblocks; k++) {
      const mem = bMembers[k]!;
      const ma = mem.length;
      const b0 = s.blockStart[k]!;
      const Di = new Float64Array(ma * ma);
      const c = new Float64Array(ma);
      for (let j = 0; j < ma; j++) {
        c.fill(0);
        c[j] = 1;
        choleskySolve(bL[k]!, ma, c);
        for (let i = 0; i < ma; i++) Di[i * ma + j] = c[i]!;
      }
      this.Dinv.push(Di);
      const Wk = W[k]!;
      const WS = new Float64Array(ma * na);
      for (let a = 0; a < ma; a++) {
        for (let j = 0; j < na; j++) {
          let v = 0;
          for (let i = 0; i < na; i++) v += Wk[a * na + i]! * this.Sinv[i * na + j]!;
          WS[a * na + j] = v;
        }
      }
      this.WSinv.push(WS);
      for (let a = 0; a < ma; a++) {
        const p = s.local[b0 + mem[a]!]!;
        this.where[p] = a;
        this.whereBlock[p] = k;
        let v = Di[a * ma + a]!;
        for (let i = 0; i < na; i++) v += WS[a * na + i]! * Wk[a * na + i]!;
        this.variance[p] = v;
      }
    }
  }

  /** Covariance of parameters p and q (0 when either is inactive, i.e. fixed or held at a bound). */
  get(p: number, q: number): number {
    const ap = this.where[p]!;
    const aq = this.where[q]!;
    if (ap < 0 || aq < 0) return 0;
    const kp = this.whereBlock[p]!;
    const kq = this.whereBlock[q]!;
    const na = this.na;
    if (kp < 0 && kq < 0) return this.Sinv[ap * na + aq]!;
    if (kp >= 0 && kq < 0) return -this.WSinv[kp]![ap * na + aq]!;
    if (kp < 0 && kq >= 0) return -this.WSinv[kq]![aq * na + ap]!;
    // both per-bin: D⁻¹ within one block + (W S⁻¹ Wᵀ)
    let v = 0;
    if (kp === kq) {
      const ma = this.Dinv[kp]!.length === 0 ? 0 : Math.round(Math.sqrt(this.Dinv[kp]!.length));
      v = this.Dinv[kp]![ap * ma + aq]!;
    }
    const a = this.WSinv[kp]!;
    const b = this.W[kq]!;
    for (let i = 0; i < na; i++) v += a[ap * na + i]! * b[aq * na + i]!;
    return v;
  }
}
