package io.github.transformers4j.cpu.gemm;

import io.github.transformers4j.cpu.exec.JitDirectives;
import io.github.transformers4j.cpu.exec.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM {@code C = alpha·op(A)·op(B) + beta·C} on row-major {@code float[]}
 * matrices, in the GotoBLAS/BLIS layout: the K×N operand is packed into column strips of
 * {@link #NR} (two SIMD vectors) per {@link #KC}×{@link #NC} block, and a register-tiled
 * micro-kernel multiplies {@link #MR} rows of the M×K operand, read where it is stored (packing it
 * did not pay off), by one strip with {@code MR·2} vector accumulators. Pack buffers are per
 * thread and reused, so a warmed-up call allocates nothing but the few lambdas of the parallel
 * split.
 *
 * <p>Large problems are split over M or N (whichever is larger) into independent sub-problems,
 * one per thread of the {@link Parallel} pool; tiny or skinny ones (M ≤ {@value #SKINNY_M}) skip
 * packing and run a vectorized row-times-matrix loop.
 */
public final class Sgemm {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int VL = S.length();

  /** The register tile and blocking chosen for this machine at class initialisation. */
  public static final Tiling TILING = Tiling.forMachine();

  /** Rows of the register tile (broadcast operand). */
  public static final int MR = TILING.mr();

  /** Columns of the register tile: {@code TILING.vectors()} vectors. */
  public static final int NR = TILING.nr();

  /** Depth of a packed block. */
  public static final int KC = TILING.kc();

  /** Rows of A packed and swept over one packed B block (a multiple of {@link #MR}). */
  public static final int MC = TILING.mc();

  /** Columns of a packed block of B (kept in L2/L3; a multiple of {@link #NR}). */
  public static final int NC = TILING.nc();

  // Which micro-kernel method runs: a constant, so the JIT folds the dispatch away.
  private static final int KERNEL = TILING.kernel();

  /** Up to this many rows of op(A), packing costs more than it saves. */
  static final int SKINNY_M = 4;

  // Below this many multiply-adds a call runs on one thread (the fork/join costs ~10-50 µs).
  private static final long PARALLEL_MIN_FMAS = 1L << 21;

  // The same for skinny products (M ≤ SKINNY_M), which are bound by reading B.
  private static final long SKINNY_PARALLEL_MIN_FMAS = 1L << 17;

  // Below this many multiply-adds per call packing does not pay off.
  private static final long PACK_MIN_FMAS = 40L * 40 * 40;

  private final Parallel parallel;
  private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);

  /** Per-thread pack buffers, grown on demand and kept for the next call. */
  private static final class Workspace {
    float[] b = new float[0];
    float[] a = new float[0];
    final float[] tile = new float[MR * NR];
    final int[] idx = new int[NR]; // gather offsets of the NR rows of a transposed B strip

    float[] packA(int floats) {
      if (a.length < floats) {
        a = new float[floats];
      }
      return a;
    }
  }

  /** A GEMM that splits large problems over the threads of {@code parallel}. */
  public Sgemm(Parallel parallel) {
    this.parallel = parallel;
    JitDirectives.install();
  }

  /**
   * {@code C[M×N] = alpha·op(A)·op(B) + beta·C}, all row-major. {@code op(A)} is M×K: A is stored
   * M×K ({@code lda ≥ K}) or, when {@code transA}, K×M ({@code lda ≥ M}). {@code op(B)} is K×N: B is
   * stored K×N ({@code ldb ≥ N}) or, when {@code transB}, N×K ({@code ldb ≥ K}). When {@code beta}
   * is 0, C is overwritten without being read (NaNs in C do not propagate), as in BLAS.
   */
  public void sgemm(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
      int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    run(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, null, 0, c, cOff, ldc);
  }

  /**
   * {@code C[M×N] = op(A)·op(B) + bias}, the bias (N floats from {@code biasOff}) added to every
   * row: a linear layer's product and bias in one pass. C is overwritten: each thread first writes
   * the bias into its own part of C (where the product then accumulates), so the bias costs no
   * pass of its own over the output.
   */
  public void sgemmBias(
      boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb, float[] bias, int biasOff, float[] c, int cOff, int ldc) {
    checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    checkBias(bias, biasOff, n);
    run(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, bias, biasOff, c, cOff, ldc);
  }

  /** Whether an M×N×K product runs the packed kernel (else a plain loop: skinny or tiny). */
  public static boolean packs(int m, int n, int k) {
    return m > SKINNY_M && (long) m * n * k >= PACK_MIN_FMAS;
  }

  /**
   * A K×N right operand packed once into the layout the micro-kernel reads: strips of {@link #NR}
   * columns, each holding all K rows of NR contiguous floats (the last strip zero-padded). A layer
   * whose weight is multiplied again and again (every inference forward) packs it once with
   * {@link #pack} and passes it to {@link #sgemmPacked}, instead of re-packing it, from a
   * transposed and cache-unfriendly layout, in every call.
   */
  public static final class PackedB {
    final float[] data;
    final int k;
    final int n;

    private PackedB(float[] data, int k, int n) {
      this.data = data;
      this.k = k;
      this.n = n;
    }

    /** Depth K of op(B). */
    public int k() {
      return k;
    }

    /** Columns N of op(B). */
    public int n() {
      return n;
    }

    /** Floats held (N rounded up to whole strips, times K). */
    public long size() {
      return data.length;
    }
  }

  /** Packs {@code op(B)} (K×N; B stored N×K when {@code transB}) for {@link #sgemmPacked}. */
  public PackedB pack(boolean transB, int k, int n, float[] b, int bOff, int ldb) {
    checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
    int strips = (n + NR - 1) / NR;
    float[] data = new float[Math.multiplyExact(strips * NR, Math.max(1, k))];
    if (k == 0 || n == 0) {
      return new PackedB(data, k, n);
    }
    int perChunk = Math.max(1, (int) Math.min(strips, (1L << 20) / ((long) k * NR)));
    parallel.forRange(
        strips,
        perChunk,
        (s, e) -> {
          int j0 = s * NR;
          int j1 = Math.min(n, e * NR);
          // packB lays strip jr/NR at jr·kc; with kc = K that is the strip's place in the whole.
          int bo = transB ? bOff + j0 * ldb : bOff + j0;
          packB(transB, b, bo, ldb, 0, 0, k, j1 - j0, 1f, data, j0 * k, workspaces.get().idx);
        });
    return new PackedB(data, k, n);
  }

  /**
   * {@code C[M×N] = A·B + bias} (bias may be null: then C is overwritten with the product) for an
   * A stored M×K ({@code lda ≥ K}) and a B packed by {@link #pack}.
   */
  public void sgemmPacked(
      int m, float[] a, int aOff, int lda, PackedB b, float[] bias, int biasOff, float[] c,
      int cOff, int ldc) {
    int n = b.n;
    int k = b.k;
    checkMatrix("A", a, aOff, lda, m, k);
    checkMatrix("C", c, cOff, ldc, m, n);
    if (bias != null) {
      checkBias(bias, biasOff, n);
    }
    if (m == 0 || n == 0) {
      return;
    }
    long fmas = (long) m * n * k;
    int chunks = (int) Math.min(parallel.threads(), Math.max(1, fmas / PARALLEL_MIN_FMAS));
    int strips = (n + NR - 1) / NR;
    if (chunks <= 1 || Parallel.inParallelRegion()) {
      serialPacked(m, 0, strips, n, a, aOff, lda, b, bias, biasOff, c, cOff, ldc);
    } else if (strips >= 2 * chunks || m < 4 * MR * chunks) {
      // Split N: each thread streams its own strips of B once.
      parallel.forRange(
          strips,
          (strips + chunks - 1) / chunks,
          (s, e) -> serialPacked(m, s, e, n, a, aOff, lda, b, bias, biasOff, c, cOff, ldc));
    } else {
      int blocks = (m + MR - 1) / MR;
      parallel.forRange(
          blocks,
          (blocks + chunks - 1) / chunks,
          (s, e) -> {
            int i0 = s * MR;
            int i1 = Math.min(m, e * MR);
            serialPacked(i1 - i0, 0, strips, n, a, aOff + i0 * lda, lda, b, bias, biasOff, c,
                cOff + i0 * ldc, ldc);
          });
    }
  }

  // Rows [0, m) of C times strips [s0, s1) of the packed B.
  private void serialPacked(
      int m, int s0, int s1, int n, float[] a, int aOff, int lda, PackedB b, float[] bias,
      int biasOff, float[] c, int cOff, int ldc) {
    int k = b.k;
    int j0 = s0 * NR;
    int j1 = Math.min(n, s1 * NR);
    for (int i = 0; i < m; i++) {
      int o = cOff + i * ldc + j0;
      if (bias != null) {
        System.arraycopy(bias, biasOff + j0, c, o, j1 - j0);
      } else {
        java.util.Arrays.fill(c, o, o + j1 - j0, 0f);
      }
    }
    if (k == 0) {
      return;
    }
    Workspace ws = workspaces.get();
    float[] tile = ws.tile;
    int kBlocks = (k + KC - 1) / KC;
    int kcMax = (k + kBlocks - 1) / kBlocks;
    float[] ap = PACK_A ? ws.packA(Math.min(MC, roundUp(m, MR)) * kcMax) : null;
    int stripsPerBlock = NC / NR;
    for (int sc = s0; sc < s1; sc += stripsPerBlock) {
      int scEnd = Math.min(s1, sc + stripsPerBlock);
      for (int pc = 0; pc < k; pc += kcMax) {
        int kc = Math.min(kcMax, k - pc);
        for (int ic = 0; ic < m; ic += MC) {
          int mc = Math.min(MC, m - ic);
          if (PACK_A) {
            packA(false, a, aOff, lda, ic, pc, mc, kc, ap);
          }
          for (int st = sc; st < scEnd; st++) {
            int jr = st * NR;
            int nr = Math.min(NR, n - jr);
            int bIdx = st * k * NR + pc * NR;
            for (int ir = 0; ir < mc; ir += MR) {
              int mr = Math.min(MR, mc - ir);
              int cIdx = cOff + (ic + ir) * ldc + jr;
              if (PACK_A) {
                kernel6x2(kc, ap, ir * kc, b.data, bIdx, c, cIdx, ldc, mr, nr, tile);
              } else {
                int aIdx = aOff + (ic + ir) * lda + pc;
                kernel8x2(kc, a, aIdx, lda, 1, b.data, bIdx, c, cIdx, ldc, mr, nr, tile);
              }
            }
          }
        }
      }
    }
  }

  private void run(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
      int lda, float[] b, int bOff, int ldb, float beta, float[] bias, int biasOff, float[] c,
      int cOff, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    long fmas = (long) m * n * k;
    // A skinny product streams B once from memory with little arithmetic per byte: two threads
    // pull it faster than one from far smaller sizes on.
    long minFmas = m <= SKINNY_M ? SKINNY_PARALLEL_MIN_FMAS : PARALLEL_MIN_FMAS;
    int chunks = (int) Math.min(parallel.threads(), Math.max(1, fmas / minFmas));
    if (chunks <= 1 || Parallel.inParallelRegion()) {
      serial(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, bias, biasOff, c,
          cOff, ldc);
    } else if (m <= SKINNY_M && !transB && k >= 2 * chunks) {
      splitK(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, bias, biasOff, c, cOff, ldc,
          chunks);
    } else if (n >= m) {
      // Split N: each thread owns whole NR strips of C and packs its own part of B.
      int blocks = (n + NR - 1) / NR;
      parallel.forRange(
          blocks,
          (blocks + chunks - 1) / chunks,
          (s, e) -> {
            int j0 = s * NR;
            int j1 = Math.min(n, e * NR);
            int bo = transB ? bOff + j0 * ldb : bOff + j0;
            serial(transA, transB, m, j1 - j0, k, alpha, a, aOff, lda, b, bo, ldb, beta, bias,
                biasOff + j0, c, cOff + j0, ldc);
          });
    } else {
      int blocks = (m + MR - 1) / MR;
      parallel.forRange(
          blocks,
          (blocks + chunks - 1) / chunks,
          (s, e) -> {
            int i0 = s * MR;
            int i1 = Math.min(m, e * MR);
            int ao = transA ? aOff + i0 : aOff + i0 * lda;
            serial(transA, transB, i1 - i0, n, k, alpha, a, ao, lda, b, bOff, ldb, beta, bias,
                biasOff, c, cOff + i0 * ldc, ldc);
          });
    }
  }

  // A skinny product with B stored K×N, split over K: each thread streams its own contiguous band
  // of B rows (splitting N would cut every row into short runs, which the prefetchers follow
  // badly) into its own partial C; the partials are then added. Piece 0 writes C itself.
  private void splitK(
      boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b,
      int bOff, int ldb, float beta, float[] bias, int biasOff, float[] c, int cOff, int ldc,
      int chunks) {
    float[][] parts = new float[chunks][];
    parallel.forPieces(
        chunks,
        chunks,
        (s, e) -> {
          for (int piece = s; piece < e; piece++) {
            int p0 = (int) ((long) k * piece / chunks);
            int p1 = (int) ((long) k * (piece + 1) / chunks);
            int ao = transA ? aOff + p0 * lda : aOff + p0;
            int bo = bOff + p0 * ldb;
            if (piece == 0) {
              serial(transA, false, m, n, p1 - p0, alpha, a, ao, lda, b, bo, ldb, beta, bias,
                  biasOff, c, cOff, ldc);
            } else {
              float[] part = new float[m * n];
              serial(transA, false, m, n, p1 - p0, alpha, a, ao, lda, b, bo, ldb, 1f, null, 0, part,
                  0, n);
              parts[piece] = part;
            }
          }
        });
    for (int piece = 1; piece < chunks; piece++) {
      float[] part = parts[piece];
      for (int i = 0; i < m; i++) {
        int o = cOff + i * ldc;
        int po = i * n;
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += VL) {
          FloatVector.fromArray(S, c, o + j)
              .add(FloatVector.fromArray(S, part, po + j))
              .intoArray(c, o + j);
        }
        for (; j < n; j++) {
          c[o + j] += part[po + j];
        }
      }
    }
  }

  private void serial(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
      int lda, float[] b, int bOff, int ldb, float beta, float[] bias, int biasOff, float[] c,
      int cOff, int ldc) {
    if (bias != null) {
      for (int i = 0; i < m; i++) {
        System.arraycopy(bias, biasOff, c, cOff + i * ldc, n);
      }
    } else {
      scaleC(m, n, beta, c, cOff, ldc);
    }
    if (k == 0 || alpha == 0f) {
      return;
    }
    if (m <= SKINNY_M || (long) m * n * k < PACK_MIN_FMAS) {
      unpacked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    } else {
      packed(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }
  }

  private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
    if (beta == 1f) {
      return;
    }
    for (int i = 0; i < m; i++) {
      int o = cOff + i * ldc;
      if (beta == 0f) {
        java.util.Arrays.fill(c, o, o + n, 0f);
      } else {
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += VL) {
          FloatVector.fromArray(S, c, o + j).mul(beta).intoArray(c, o + j);
        }
        for (; j < n; j++) {
          c[o + j] *= beta;
        }
      }
    }
  }

  private void packed(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
      int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
    Workspace ws = workspaces.get();
    // K blocks of equal depth: K = 384 runs as 2×192, not 320 + 64.
    int kBlocks = (k + KC - 1) / KC;
    int kcMax = (k + kBlocks - 1) / kBlocks;
    int needB = kcMax * roundUp(Math.min(NC, n), NR);
    if (ws.b.length < needB) {
      ws.b = new float[needB];
    }
    float[] bp = ws.b;
    float[] tile = ws.tile;
    float[] ap = PACK_A ? ws.packA(Math.min(MC, roundUp(m, MR)) * kcMax) : null;
    int aRs = transA ? 1 : lda;
    int aPs = transA ? lda : 1;
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      for (int pc = 0; pc < k; pc += kcMax) {
        int kc = Math.min(kcMax, k - pc);
        packB(transB, b, bOff, ldb, pc, jc, kc, nc, alpha, bp, 0, ws.idx);
        for (int ic = 0; ic < m; ic += MC) {
          int mc = Math.min(MC, m - ic);
          if (PACK_A) {
            packA(transA, a, aOff, lda, ic, pc, mc, kc, ap);
          }
          for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int cCol = cOff + jc + jr;
            for (int ir = 0; ir < mc; ir += MR) {
              int mr = Math.min(MR, mc - ir);
              int cIdx = cCol + (ic + ir) * ldc;
              if (PACK_A) {
                kernel6x2(kc, ap, ir * kc, bp, jr * kc, c, cIdx, ldc, mr, nr, tile);
              } else {
                int aIdx = aOff + (ic + ir) * aRs + pc * aPs;
                kernel8x2(kc, a, aIdx, aRs, aPs, bp, jr * kc, c, cIdx, ldc, mr, nr, tile);
              }
            }
          }
        }
      }
    }
  }

  // Rows [i0, i0 + mc) and depth [pc, pc + kc) of op(A) -> strips of MR rows, strip ir/MR at
  // ir·kc holding kc steps of MR contiguous floats; rows past mc are zero, so the micro-kernel
  // reads whole steps at a constant stride and never branches on the edge.
  private static void packA(
      boolean transA, float[] a, int aOff, int lda, int i0, int pc, int mc, int kc, float[] ap) {
    for (int ir = 0; ir < mc; ir += MR) {
      int mr = Math.min(MR, mc - ir);
      int base = ir * kc;
      if (transA) {
        // op(A)(i, p) = A[p][i]: each step is mr contiguous floats of a stored row.
        int src = aOff + pc * lda + i0 + ir;
        for (int p = 0; p < kc; p++) {
          int dst = base + p * MR;
          for (int r = 0; r < mr; r++) {
            ap[dst + r] = a[src + r];
          }
          for (int r = mr; r < MR; r++) {
            ap[dst + r] = 0f;
          }
          src += lda;
        }
      } else {
        for (int r = 0; r < mr; r++) {
          int src = aOff + (i0 + ir + r) * lda + pc;
          int dst = base + r;
          for (int p = 0; p < kc; p++) {
            ap[dst + p * MR] = a[src + p];
          }
        }
        for (int r = mr; r < MR; r++) {
          for (int p = 0; p < kc; p++) {
            ap[base + r + p * MR] = 0f;
          }
        }
      }
    }
  }

  // B block (kc×nc starting at row pc, column jc of op(B)) -> strips of NR columns, each kc rows of
  // NR contiguous floats; columns past nc are zero so the kernel never branches on them.
  private static void packB(
      boolean transB, float[] b, int bOff, int ldb, int pc, int jc, int kc, int nc, float alpha,
      float[] bp, int bpOff, int[] idx) {
    for (int jr = 0; jr < nc; jr += NR) {
      int nr = Math.min(NR, nc - jr);
      int base = bpOff + jr * kc;
      if (!transB) {
        int src = bOff + pc * ldb + jc + jr;
        for (int p = 0; p < kc; p++) {
          int dst = base + p * NR;
          if (alpha == 1f) {
            System.arraycopy(b, src, bp, dst, nr);
          } else {
            for (int j = 0; j < nr; j++) {
              bp[dst + j] = alpha * b[src + j];
            }
          }
          if (nr < NR) {
            java.util.Arrays.fill(bp, dst + nr, dst + NR, 0f);
          }
          src += ldb;
        }
      } else {
        if (nr == NR && kc >= 64) {
          // op(B)(p, j) = B[j][p]: a packed row is two gathers down the NR stored rows, 11%
          // faster on MiniLM's (128×384)·(1536×384)ᵀ-style products than the scalar transpose;
          // about even (a little slower below K = 64) on the training ones.
          if (idx[1] != ldb) {
            for (int j = 0; j < NR; j++) {
              idx[j] = j * ldb;
            }
          }
          int src = bOff + (jc + jr) * ldb + pc;
          for (int p = 0; p < kc; p++) {
            int dst = base + p * NR;
            FloatVector.fromArray(S, b, src + p, idx, 0).mul(alpha).intoArray(bp, dst);
            FloatVector.fromArray(S, b, src + p, idx, VL).mul(alpha).intoArray(bp, dst + VL);
          }
          continue;
        }
        // op(B)(p, j) = B[j][p]: read each stored row contiguously.
        for (int j = 0; j < nr; j++) {
          int src = bOff + (jc + jr + j) * ldb + pc;
          int dst = base + j;
          for (int p = 0; p < kc; p++) {
            bp[dst + p * NR] = alpha * b[src + p];
          }
        }
        for (int j = nr; j < NR; j++) {
          for (int p = 0; p < kc; p++) {
            bp[base + j + p * NR] = 0f;
          }
        }
      }
    }
  }

  // C += alpha·op(A)·op(B) without packing: for skinny A (a few rows times a big matrix, as in
  // token-by-token decoding) and tiny problems, where packing would cost as much as the product.
  private static void unpacked(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
      int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
    if (!transB) {
      // C(i,:) accumulates alpha·A(i,p)·B(p,:) over p, a column block at a time so the block of C
      // stays in L1 while B streams past, every row of C taking each B row while it is in L1 (so
      // B is read from memory once, also for a few rows, as in beam search). The block is wide
      // because decoding is bound by reading B from memory and long contiguous runs of each B
      // row keep the hardware prefetchers streaming: GPT-2 small decoded 25.5 tokens/s with
      // 1024-column blocks (4 KB runs, most crossing a page) and 35 with 4096 (16 KB of C).
      final int jb = Math.max(1024, 4096 / Math.max(1, m) / VL * VL);
      for (int j0 = 0; j0 < n; j0 += jb) {
        int nb = Math.min(jb, n - j0);
        int bound = S.loopBound(nb);
        for (int p = 0; p < k; p++) {
          int bo = bOff + p * ldb + j0;
          for (int i = 0; i < m; i++) {
            int co = cOff + i * ldc + j0;
            float av = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
            FloatVector va = FloatVector.broadcast(S, av);
            int j = 0;
            for (; j < bound; j += VL) {
              va.fma(FloatVector.fromArray(S, b, bo + j), FloatVector.fromArray(S, c, co + j))
                  .intoArray(c, co + j);
            }
            for (; j < nb; j++) {
              c[co + j] += av * b[bo + j];
            }
          }
        }
      }
    } else {
      // C(i,j) = alpha·A(i,:)·B(j,:): each stored row of B is read once, for every row of A, so
      // B streams from memory once however many rows A has.
      int bound = S.loopBound(k);
      for (int j = 0; j < n; j++) {
        int bo = bOff + j * ldb;
        for (int i = 0; i < m; i++) {
          float dot;
          if (!transA) {
            int ao = aOff + i * lda;
            FloatVector acc = FloatVector.zero(S);
            int p = 0;
            for (; p < bound; p += VL) {
              acc = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), acc);
            }
            dot = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
            for (; p < k; p++) {
              dot += a[ao + p] * b[bo + p];
            }
          } else {
            dot = 0f;
            for (int p = 0; p < k; p++) {
              dot += a[aOff + p * lda + i] * b[bo + p];
            }
          }
          c[cOff + i * ldc + j] += alpha * dot;
        }
      }
    }
  }

  // Whether the micro-kernel reads A packed (the 6×2 tile of 16-register machines: in place its
  // eight row offsets and variable strides spill, and AVX2 ran at half speed) or where it is
  // stored (the 8×2 tile). A constant, so the JIT folds the branches on it away.
  private static final boolean PACK_A = KERNEL != Tiling.K8X2;

  // kernel6x2 reads the strip of A packed as kc steps of MR floats from aIdx (rows past mr zero)
  // and the strip of B as kc steps of NR floats from bIdx (columns past nr zero), both at
  // constant strides from loop-invariant offsets, so C2 hoists their bounds checks out of the
  // loop. Each tile shape is its own method because the accumulators must be named locals for C2
  // to keep them in registers: passing FloatVectors to a helper that is not inlined allocates.

  // Edge tile: the accumulators were spilled to a scratch tile; add its valid part, so that no
  // masked memory access (slow on JDK 17) sits on the common path.
  private static void addEdge(float[] c, int cIdx, int ldc, int mr, int nr, float[] tile) {
    for (int r = 0; r < mr; r++) {
      int o = cIdx + r * ldc;
      int t = r * NR;
      for (int j = 0; j < nr; j++) {
        c[o + j] += tile[t + j];
      }
    }
  }

  // The 8×2-vector register tile of 32-register machines (AVX-512, NEON), reading A where it is
  // stored. Everything stays in this one method on purpose: C2 keeps the accumulators in
  // registers only when no FloatVector crosses a call boundary. Measured on an AMD EPYC with
  // AVX-512, this in-place form beat the packed-A form of kernel6x2 by 5-10% at 512-1024 (the
  // packing costs more than the bounds checks it saves when 32 registers hold everything).
  //
  // op(A)(ir + r, p) is read at ap[aIdx + r·aRs + p·aPs]: (1, MR) for a packed strip, or the
  // stored layout of A itself, (lda, 1) or (1, lda) for transA. Rows past mr re-read row mr − 1
  // (never out of bounds); their sums land in the discarded part of the edge tile. Alpha is in
  // the packed B strips. Keep this method small: when it grew (an alpha scaling of the 16
  // accumulators), C2 sometimes left intoArray out of line and training ran 4× slower.
  private static void kernel8x2(
      int kc, float[] ap, int aIdx, int aRs, int aPs, float[] bp, int bIdx,
      float[] c, int cIdx, int ldc, int mr, int nr, float[] tile) {
    final int r1 = Math.min(1, mr - 1) * aRs;
    final int r2 = Math.min(2, mr - 1) * aRs;
    final int r3 = Math.min(3, mr - 1) * aRs;
    final int r4 = Math.min(4, mr - 1) * aRs;
    final int r5 = Math.min(5, mr - 1) * aRs;
    final int r6 = Math.min(6, mr - 1) * aRs;
    final int r7 = Math.min(7, mr - 1) * aRs;
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S);
    FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S);
    FloatVector c71 = FloatVector.zero(S);
    int ai = aIdx;
    int bi = bIdx;
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
      FloatVector a;
      a = FloatVector.broadcast(S, ap[ai + 0]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = FloatVector.broadcast(S, ap[ai + r1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = FloatVector.broadcast(S, ap[ai + r2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = FloatVector.broadcast(S, ap[ai + r3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = FloatVector.broadcast(S, ap[ai + r4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = FloatVector.broadcast(S, ap[ai + r5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
      a = FloatVector.broadcast(S, ap[ai + r6]);
      c60 = a.fma(b0, c60);
      c61 = a.fma(b1, c61);
      a = FloatVector.broadcast(S, ap[ai + r7]);
      c70 = a.fma(b0, c70);
      c71 = a.fma(b1, c71);
      ai += aPs;
      bi += NR;
    }
    if (mr == MR && nr == NR) {
      int o = cIdx;
      FloatVector.fromArray(S, c, o).add(c00).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c01).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c10).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c11).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c20).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c21).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c30).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c31).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c40).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c41).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c50).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c51).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c60).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c61).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c70).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c71).intoArray(c, o + VL);
    } else {
      // Edge tile: spill to a scratch tile and add the valid part, so no masked memory access
      // (slow on JDK 17) sits on the common path.
      c00.intoArray(tile, 0 * NR);
      c01.intoArray(tile, 0 * NR + VL);
      c10.intoArray(tile, 1 * NR);
      c11.intoArray(tile, 1 * NR + VL);
      c20.intoArray(tile, 2 * NR);
      c21.intoArray(tile, 2 * NR + VL);
      c30.intoArray(tile, 3 * NR);
      c31.intoArray(tile, 3 * NR + VL);
      c40.intoArray(tile, 4 * NR);
      c41.intoArray(tile, 4 * NR + VL);
      c50.intoArray(tile, 5 * NR);
      c51.intoArray(tile, 5 * NR + VL);
      c60.intoArray(tile, 6 * NR);
      c61.intoArray(tile, 6 * NR + VL);
      c70.intoArray(tile, 7 * NR);
      c71.intoArray(tile, 7 * NR + VL);
      for (int r = 0; r < mr; r++) {
        int o = cIdx + r * ldc;
        int t = r * NR;
        for (int j = 0; j < nr; j++) {
          c[o + j] += tile[t + j];
        }
      }
    }
  }


  // The 6×2-vector register tile: 12 accumulators, 2 B vectors and one broadcast A.
  private static void kernel6x2(
      int kc, float[] ap, int aIdx, float[] bp, int bIdx, float[] c, int cIdx, int ldc, int mr,
      int nr, float[] tile) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int ai = aIdx + p * 6;
      int bi = bIdx + p * NR;
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
      FloatVector a;
      a = FloatVector.broadcast(S, ap[ai]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = FloatVector.broadcast(S, ap[ai + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = FloatVector.broadcast(S, ap[ai + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = FloatVector.broadcast(S, ap[ai + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = FloatVector.broadcast(S, ap[ai + 4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = FloatVector.broadcast(S, ap[ai + 5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
    }
    if (mr == 6 && nr == NR) {
      int o = cIdx;
      FloatVector.fromArray(S, c, o).add(c00).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c01).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c10).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c11).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c20).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c21).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c30).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c31).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c40).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c41).intoArray(c, o + VL);
      o += ldc;
      FloatVector.fromArray(S, c, o).add(c50).intoArray(c, o);
      FloatVector.fromArray(S, c, o + VL).add(c51).intoArray(c, o + VL);
    } else {
      c00.intoArray(tile, 0 * NR);
      c01.intoArray(tile, 0 * NR + VL);
      c10.intoArray(tile, 1 * NR);
      c11.intoArray(tile, 1 * NR + VL);
      c20.intoArray(tile, 2 * NR);
      c21.intoArray(tile, 2 * NR + VL);
      c30.intoArray(tile, 3 * NR);
      c31.intoArray(tile, 3 * NR + VL);
      c40.intoArray(tile, 4 * NR);
      c41.intoArray(tile, 4 * NR + VL);
      c50.intoArray(tile, 5 * NR);
      c51.intoArray(tile, 5 * NR + VL);
      addEdge(c, cIdx, ldc, mr, nr, tile);
    }
  }

  private static int roundUp(int x, int to) {
    return (x + to - 1) / to * to;
  }

  private static void checkBias(float[] bias, int biasOff, int n) {
    if (n > 0 && (biasOff < 0 || (long) biasOff + n > bias.length)) {
      throw new IllegalArgumentException(
          "sgemm: bias needs " + n + " elements from offset " + biasOff + " but has "
              + bias.length);
    }
  }

  static void checkArgs(
      boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("sgemm: negative size M=" + m + " N=" + n + " K=" + k);
    }
    checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
    checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
    checkMatrix("C", c, cOff, ldc, m, n);
  }

  private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
    if (ld < Math.max(1, cols)) {
      throw new IllegalArgumentException(
          "sgemm: leading dimension of " + name + " is " + ld + " but a row holds " + cols);
    }
    if (rows == 0 || cols == 0) {
      return;
    }
    long last = off + (long) (rows - 1) * ld + cols - 1;
    if (off < 0 || last >= x.length) {
      throw new IllegalArgumentException(
          "sgemm: " + name + " (" + rows + "×" + cols + ", offset " + off + ", ld " + ld
              + ") needs " + (last + 1) + " elements but the array has " + x.length);
    }
  }

  /**
   * {@code C[m×nc] += A[m×kc] · Bp} for a block of B that the caller has already packed in this
   * class's layout: the hook for kernels that produce packed blocks themselves ({@link
   * QuantizedGemm} converts int8 and bf16 weights straight into it) and then want the fp32
   * micro-kernel.
   *
   * <p>Contract, with {@link #MR} and {@link #NR} as fixed at class initialisation:
   *
   * <ul>
   *   <li>{@code bp} holds {@code ceil(nc / NR)} strips; strip {@code s} starts at {@code bpOff +
   *       s·kc·NR} and holds {@code kc} rows of {@code NR} contiguous floats, row {@code p} being
   *       columns {@code s·NR … s·NR + NR − 1} of row {@code p} of B. Columns at or past {@code nc}
   *       in the last strip must be finite (zero, as {@code packB} writes them); they only reach
   *       the discarded part of an edge tile.
   *   <li>{@code A(i, p)} is {@code a[aOff + i·lda + p]} for {@code i < m}, {@code p < kc}.
   *   <li>{@code C(i, j)} is {@code c[cOff + i·ldc + j]} for {@code j < nc}; it is accumulated
   *       into, never overwritten (start C from zeros or a bias).
   *   <li>{@code tile} is scratch of at least {@code MR·NR} floats that no other thread uses.
   * </ul>
   *
   * Where the micro-kernel reads A packed (the 6×2 tile), A is packed here into MR-row strips (a
   * per-thread buffer, grown once). Serial (the caller splits work over threads), allocates nothing once warm, checks
   * nothing beyond what array bounds check.
   */
  static void multiplyPackedBlock(
      int m, int kc, float[] a, int aOff, int lda, float[] bp, int bpOff, int nc, float[] c,
      int cOff, int ldc, float[] tile) {
    float[] ap = null;
    if (PACK_A) {
      ap = HOOK_A.get();
      int need = Math.min(MC, roundUp(m, MR)) * kc;
      if (ap.length < need) {
        ap = new float[need];
        HOOK_A.set(ap);
      }
    }
    for (int ic = 0; ic < m; ic += MC) {
      int mc = Math.min(MC, m - ic);
      if (PACK_A) {
        packA(false, a, aOff, lda, ic, 0, mc, kc, ap);
      }
      for (int jr = 0, st = 0; jr < nc; jr += NR, st++) {
        int nr = Math.min(NR, nc - jr);
        int bIdx = bpOff + st * kc * NR;
        for (int ir = 0; ir < mc; ir += MR) {
          int mr = Math.min(MR, mc - ir);
          int cIdx = cOff + (ic + ir) * ldc + jr;
          if (PACK_A) {
            kernel6x2(kc, ap, ir * kc, bp, bIdx, c, cIdx, ldc, mr, nr, tile);
          } else {
            kernel8x2(kc, a, aOff + (ic + ir) * lda, lda, 1, bp, bIdx, c, cIdx, ldc, mr, nr, tile);
          }
        }
      }
    }
  }

  // The A pack buffer of multiplyPackedBlock's callers, per thread (they bring their own B block
  // and tile but know nothing of how A is packed).
  private static final ThreadLocal<float[]> HOOK_A = ThreadLocal.withInitial(() -> new float[0]);
}
