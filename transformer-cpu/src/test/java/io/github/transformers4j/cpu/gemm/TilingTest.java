package io.github.transformers4j.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.cpu.exec.Machine;
import org.junit.jupiter.api.Test;

/**
 * The tiling this JVM chose fits its register file and blocks, and, in the forked JVMs of the
 * module's surefire executions ({@code -XX:UseAVX=2}, {@code -XX:MaxVectorSize=16}), is the one
 * expected for that instruction set: the expectations come in as {@code t4j.test.expect*}
 * properties, so a fork that silently ran the host's kernels instead fails here.
 */
class TilingTest {
  @Test
  void tileFitsTheRegisterFileAndBlocksAreMultiples() {
    Tiling t = Sgemm.TILING;
    System.out.println("[TilingTest] " + Machine.describe() + "; " + t.describe());
    assertEquals(Sgemm.VL, t.vl());
    assertEquals(Machine.VECTOR_FLOATS, t.vl());
    if (System.getProperty("t4j.cpu.gemmTile") == null) {
      // Accumulators, the B vectors of one step and the broadcast A value.
      int needed = t.mr() * t.vectors() + t.vectors() + 1;
      assertTrue(needed <= Machine.VECTOR_REGISTERS,
          t.describe() + " needs " + needed + " registers; the JIT has " + Machine.VECTOR_REGISTERS);
    }
    assertEquals(0, t.mc() % t.mr(), "MC must be a multiple of MR: " + t.describe());
    assertEquals(0, t.nc() % t.nr(), "NC must be a multiple of NR: " + t.describe());
    assertTrue(t.kc() >= 64 && t.kc() <= 512, t.describe());
  }

  @Test
  void forkedJvmRunsTheExpectedInstructionSet() {
    Integer bits = Integer.getInteger("t4j.test.expectVectorBits");
    Integer registers = Integer.getInteger("t4j.test.expectRegisters");
    String tile = System.getProperty("t4j.test.expectTile");
    String label = Machine.describe() + "; " + Sgemm.TILING.describe();
    if (bits != null) {
      assertEquals(bits.intValue(), Machine.VECTOR_BITS, "vector width in this fork: " + label);
    }
    if (registers != null) {
      assertEquals(registers.intValue(), Machine.VECTOR_REGISTERS, "registers in this fork: " + label);
    }
    if (tile != null) {
      assertEquals(tile, Sgemm.MR + "x" + Sgemm.TILING.vectors(), "tile in this fork: " + label);
    }
  }
}
