package io.github.transformers4j.cpu.gemm;

import io.github.transformers4j.cpu.exec.Machine;
import java.util.Locale;

/**
 * The SGEMM register tile ({@code mr} rows × {@code vectors} SIMD vectors) and cache blocking
 * ({@code kc}, {@code mc}, {@code nc}) for one machine, chosen once from {@link Machine}.
 *
 * <p>The tile must leave its accumulators, the B vectors of one step and the broadcast A value in
 * registers: {@code mr·vectors + vectors + 1 ≤ registers}. With AVX-512's 32 registers that is
 * 8×2 (19 registers); with AVX2's or SSE's 16 it is 6×2 (15), the BLIS Haswell shape. The 8×2
 * tile on 16 registers spilled accumulators every step and ran at 0.44× OpenBLAS. Measured on an
 * AVX-512 AMD EPYC (1 thread, GFLOP/s): 12×2 (27 registers) gave no more than 8×2 with AVX-512 (228 vs 234
 * at 512³); 4×3 (16 registers, none spare) ran at half the speed of 6×2 with AVX2 (55 vs 116).
 *
 * <p>Blocking: a kc×NR strip of packed B stays in L1 while the mr×kc strips of A stream past it,
 * an mc×kc block of A stays in L2, and nc columns of B are packed per block; kc and mc are the
 * values measured best on 48 KiB-L1d, 1 MiB-L2 cores, scaled by this machine's cache sizes. Each
 * of these and the tile can be forced for experiments: {@code -Dt4j.cpu.gemmTile=6x2},
 * {@code -Dt4j.cpu.gemmKc=256}, {@code -Dt4j.cpu.gemmMc=120}, {@code -Dt4j.cpu.gemmNc=2048}.
 *
 * @param mr rows of the register tile
 * @param vectors SIMD vectors per tile row
 * @param vl floats per vector
 * @param kc depth of a packed block
 * @param mc rows of a packed block of A (a multiple of {@code mr})
 * @param nc columns of a packed block of B (a multiple of {@link #nr()})
 * @param kernel which micro-kernel method runs the tile (one of the {@code K...} constants)
 */
public record Tiling(int mr, int vectors, int vl, int kc, int mc, int nc, int kernel) {
  static final int K8X2 = 0;
  static final int K6X2 = 1;

  private static final int[][] SHAPES = {{8, 2}, {6, 2}};

  /** Columns of the register tile. */
  public int nr() {
    return vectors * vl;
  }

  /** One line for {@code t4j backends}: the tile and the blocking. */
  public String describe() {
    return "SGEMM tile " + mr + "×" + nr() + " (" + mr + "×" + vectors + " vectors), KC " + kc
        + ", MC " + mc + ", NC " + nc;
  }

  /** The tiling for the running JVM on this machine (see the class comment). */
  static Tiling forMachine() {
    int vl = Sgemm.VL;
    int kernel = chooseKernel(Machine.VECTOR_REGISTERS);
    int mr = SHAPES[kernel][0];
    int vectors = SHAPES[kernel][1];
    int nr = vectors * vl;
    // Blocking as tuned on 48 KiB L1d / 1 MiB L2 cores (a Zen 4 and this AVX-512 EPYC), scaled to this
    // machine's caches: the 8×2 tile (reading A in place) wants KC 320 and MC 128 (320 beat 192,
    // 256 and 384 at 1024³ by 2-5%); the 6×2 tile (packed A, half as wide a B strip) KC 384 and
    // MC 168 (116-120 GFLOP/s at 512-1024³, OpenBLAS's Haswell kernels 120-125).
    int tunedKc = kernel == K8X2 ? 320 : 384;
    int tunedMc = kernel == K8X2 ? 128 : 168;
    int kc = clamp((int) ((long) tunedKc * Machine.L1D_BYTES / (48 << 10)) / 32 * 32, 128, 512);
    kc = Integer.getInteger("t4j.cpu.gemmKc", kc);
    int mc = clamp((int) ((long) tunedMc * Machine.L2_BYTES / (1 << 20)), mr, 1024);
    mc = Integer.getInteger("t4j.cpu.gemmMc", mc);
    mc = Math.max(mr, mc / mr * mr);
    int nc = Integer.getInteger("t4j.cpu.gemmNc", 2048);
    nc = Math.max(nr, nc / nr * nr);
    return new Tiling(mr, vectors, vl, kc, mc, nc, kernel);
  }

  private static int chooseKernel(int registers) {
    String forced = System.getProperty("t4j.cpu.gemmTile");
    if (forced != null) {
      String f = forced.trim().toLowerCase(Locale.ROOT);
      for (int i = 0; i < SHAPES.length; i++) {
        if (f.equals(SHAPES[i][0] + "x" + SHAPES[i][1])) {
          return i;
        }
      }
      throw new IllegalArgumentException(
          "t4j.cpu.gemmTile: unknown tile '" + forced + "'; expected 8x2 or 6x2");
    }
    return registers >= 32 ? K8X2 : K6X2;
  }

  private static int clamp(int v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
