package io.github.transformers4j.gpu.aparapi;

import static org.lwjgl.opencl.CL10.CL_CONTEXT_PLATFORM;
import static org.lwjgl.opencl.CL10.CL_MEM_READ_WRITE;
import static org.lwjgl.opencl.CL10.CL_PROGRAM_BUILD_LOG;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.QuantizedWeight;
import io.github.transformers4j.api.ReduceOp;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.ShapeRules;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.UnaryOp;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.ReferenceQueue;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL10;
import org.lwjgl.system.MemoryStack;

/**
 * The OpenCL compute backend, registered as {@code aparapi}: every kernel of the SPI, forward and
 * backward, runs on the OpenCL device, and tensors stay in device buffers between kernels. Data
 * crosses the boundary only in {@link #fromHost} (one upload) and when the host reads a tensor
 * ({@link Tensor#toFloatArray()}, one download, cached since kernels never modify a tensor);
 * {@link #transfers()} counts both, so tests can assert what a forward or a training step moves.
 *
 * <p><b>Why not Aparapi's kernels.</b> The backend's name and module are from its first version,
 * which ran kernels written as Aparapi {@code Kernel} classes. Aparapi 3.0.2 owns the OpenCL buffers
 * and keeps one per kernel <em>field</em>, so a result can reach the next kernel only through the
 * host; its OpenCL bindings ({@code OpenCLDevice.bind}) write every input and read every output
 * around each call. Neither can keep a model resident, so the kernels are OpenCL C
 * ({@code kernels.cl}, one program) called through LWJGL's OpenCL bindings, which hand out plain
 * {@code cl_mem} handles (docs/architecture.md, "The OpenCL backend", has the comparison).
 *
 * <p><b>Kernels</b>: layout ops are one strided copy; matmul and {@link #linear} (bias inside the
 * product) a product tiled in local memory (64×64 blocks with 4×4 outputs a thread, or 16×16
 * tiles for small operands); softmax, log-softmax, the norms and the cross-entropy
 * one work-group per row; the norms' parameter gradients and the embedding scatter-add one thread
 * per column, adding rows in order (no float atomics, deterministic); dropout the SplitMix64 mask of
 * {@link io.github.transformers4j.api.Dropout}, bit for bit; attention an online softmax per query
 * with no Tq×Tk buffer, and its backward three passes (per-query statistics, dq per query, dk and
 * dv per key). The recurrent steps and sequences compose these kernels (the SPI's defaults).
 *
 * <p><b>Memory</b>: one buffer per storage; released when its last view is closed, or when the
 * storage is garbage collected (checked at each allocation; a collection is requested when live
 * buffers pass a threshold). An allocation that cannot fit the device fails with the bytes needed
 * and the device's capacity.
 *
 * <p>Thread safety: every kernel, transfer and release synchronizes on the backend.
 */
public final class AparapiBackend implements ComputeBackend {
  private static final int GROUP = 64;
  private static final int TILE = 16;
  private static final int BLOCK = 64;
  private static final int MAX_RANK = 8;
  private static final int MAX_HS = 256;

  private final Cl.Device device;
  private final int deviceIndex;
  private final long context;
  private final long queue;
  private final long program;
  private final Map<String, Long> kernels = new HashMap<>();
  private final Map<String, Long> launches = new HashMap<>();
  private final ReferenceQueue<AparapiTensor.Storage> dead = new ReferenceQueue<>();
  private final Set<AparapiTensor.Memory> live = new LinkedHashSet<>();
  private final Map<QuantizedWeight, Tensor> dequantized = new WeakHashMap<>();
  private final long capacity;
  private long liveBytes;
  private long collectAt;
  private long uploads;
  private long uploadBytes;
  private long downloads;
  private long downloadBytes;
  private final AparapiTensor dummy;
  private boolean closed;

  private AparapiBackend(Cl.Device device, int deviceIndex, long capacity) {
    this.device = device;
    this.deviceIndex = deviceIndex;
    this.capacity = capacity;
    this.collectAt = Math.min(capacity / 4, 1L << 30);
    try (MemoryStack s = MemoryStack.stackPush()) {
      IntBuffer err = s.mallocInt(1);
      PointerBuffer props =
          s.mallocPointer(3).put(CL_CONTEXT_PLATFORM).put(device.platform()).put(0).flip();
      context = CL10.clCreateContext(props, device.id(), null, 0, err);
      Cl.check(err.get(0), "clCreateContext");
      queue = CL10.clCreateCommandQueue(context, device.id(), 0, err);
      Cl.check(err.get(0), "clCreateCommandQueue");
      program = CL10.clCreateProgramWithSource(context, source(), err);
      Cl.check(err.get(0), "clCreateProgramWithSource");
      int st = CL10.clBuildProgram(program, device.id(), "", null, 0);
      if (st != 0) {
        throw new IllegalStateException("backend 'aparapi': the kernels do not build on "
            + device.describe() + ": " + Cl.statusName(st) + "\n" + buildLog());
      }
    }
    dummy = allocate(DType.F32, 1, Shape.of(1), "a placeholder buffer");
  }

  /** Opens the backend on OpenCL device {@code index} (platform order, as {@code clinfo -l}). */
  static AparapiBackend open(int index) {
    return open(index, -1);
  }

  /**
   * As {@link #open(int)}, with the device memory the backend may use capped at {@code
   * capacityBytes} (all of it when negative): for tests of the over-capacity error.
   */
  static AparapiBackend open(int index, long capacityBytes) {
    List<Cl.Device> devices = OpenClDevices.list();
    if (index >= devices.size()) {
      List<String> names = new ArrayList<>();
      for (Cl.Device d : devices) {
        names.add(d.name());
      }
      throw new IllegalArgumentException(
          "backend 'aparapi': no OpenCL device " + index + "; found " + names);
    }
    Cl.Device d = devices.get(index);
    return new AparapiBackend(
        d, index, capacityBytes < 0 ? d.globalMemBytes() : Math.min(capacityBytes, d.globalMemBytes()));
  }

  private static String source() {
    try (InputStream in = AparapiBackend.class.getResourceAsStream("kernels.cl")) {
      if (in == null) {
        throw new IllegalStateException("backend 'aparapi': kernels.cl missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String buildLog() {
    try (MemoryStack s = MemoryStack.stackPush()) {
      PointerBuffer size = s.mallocPointer(1);
      CL10.clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, size);
      ByteBuffer b = org.lwjgl.system.MemoryUtil.memAlloc((int) size.get(0));
      try {
        CL10.clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, b, null);
        return org.lwjgl.system.MemoryUtil.memUTF8(b, Math.max(0, b.remaining() - 1));
      } finally {
        org.lwjgl.system.MemoryUtil.memFree(b);
      }
    }
  }

  @Override
  public String name() {
    return "aparapi";
  }

  @Override
  public String description() {
    return "device " + deviceIndex + ": " + device.describe()
        + "; every kernel on OpenCL, tensors resident on the device";
  }

  /** False: tensors live in device buffers, and reading one back is a transfer. */
  @Override
  public boolean tensorsInHostMemory() {
    return false;
  }

  /** Waits for the queued kernels ({@code clFinish}): kernel calls return once enqueued. */
  @Override
  public synchronized void finish() {
    checkNotClosed();
    Cl.check(CL10.clFinish(queue), "clFinish");
  }

  /** The host-device transfers of this backend so far. */
  public synchronized Transfers transfers() {
    return new Transfers(uploads, uploadBytes, downloads, downloadBytes);
  }

  /** Bytes of device buffers held by live tensors. */
  public synchronized long deviceBytesInUse() {
    reclaim();
    return liveBytes;
  }

  /** Launches per OpenCL kernel so far; for tests and diagnostics. */
  synchronized Map<String, Long> deviceLaunches() {
    return new HashMap<>(launches);
  }

  /** The OpenCL device this backend runs on. */
  Cl.Device device() {
    return device;
  }

  // ---- Buffers and the host/device boundary ----

  private AparapiTensor own(Tensor t) {
    if (t.backend() != this || !(t instanceof AparapiTensor a)) {
      throw new IllegalArgumentException(
          "tensor " + t + " belongs to backend '" + t.backend().name()
              + "', not to this 'aparapi' backend");
    }
    a.checkOpen();
    return a;
  }

  private void checkNotClosed() {
    if (closed) {
      throw new IllegalStateException("backend 'aparapi' is closed");
    }
  }

  /** A new tensor over a fresh, uninitialized device buffer of {@code length} elements. */
  private AparapiTensor allocate(DType dtype, int length, Shape shape, String what) {
    checkNotClosed();
    reclaim();
    long bytes = Math.max(4L, 4L * length); // OpenCL has no empty buffers
    if (bytes > device.maxAllocBytes() || liveBytes + bytes > capacity
        || liveBytes + bytes > collectAt) {
      collect(bytes);
    }
    if (bytes > device.maxAllocBytes() || liveBytes + bytes > capacity) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "backend 'aparapi': %s %s needs %,d bytes of device memory but device %d ('%s') has"
              + " %,d bytes (%,d in use by live tensors, at most %,d in one buffer)",
          what, shape, bytes, deviceIndex, device.name(), capacity, liveBytes,
          device.maxAllocBytes()));
    }
    long mem;
    try (MemoryStack s = MemoryStack.stackPush()) {
      IntBuffer err = s.mallocInt(1);
      mem = CL10.clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, err);
      if (err.get(0) == -4 || err.get(0) == -61) {
        throw new IllegalStateException(String.format(Locale.ROOT,
            "backend 'aparapi': %s %s needs %,d bytes of device memory; device %d ('%s', %,d"
                + " bytes) refused: %s",
            what, shape, bytes, deviceIndex, device.name(), capacity, Cl.statusName(err.get(0))));
      }
      Cl.check(err.get(0), "clCreateBuffer");
    }
    AparapiTensor.Storage storage = new AparapiTensor.Storage(dtype, length);
    storage.memory = new AparapiTensor.Memory(storage, mem, bytes, dead);
    live.add(storage.memory);
    liveBytes += bytes;
    return new AparapiTensor(this, shape, storage);
  }

  private AparapiTensor newF32(Shape shape) {
    return allocate(DType.F32, shape.size(), shape, "tensor");
  }

  /** Releases the buffers of storages that were garbage collected. */
  private void reclaim() {
    java.lang.ref.Reference<? extends AparapiTensor.Storage> r;
    while ((r = dead.poll()) != null) {
      free((AparapiTensor.Memory) r);
    }
  }

  /** Asks for a collection and waits briefly for unreachable storages to be queued. */
  private void collect(long needed) {
    long before = liveBytes;
    System.gc();
    for (int i = 0; i < 20; i++) {
      reclaim();
      if (liveBytes + needed <= collectAt && liveBytes + needed <= capacity) {
        break;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    // Collect again once the live set has doubled since this collection.
    collectAt = Math.max(Math.min(capacity / 4, 1L << 30), 2 * liveBytes + needed);
    if (Boolean.getBoolean("t4j.aparapi.debugMemory")) {
      System.err.println("[aparapi] collected: " + before + " -> " + liveBytes + " bytes live");
    }
  }

  private void free(AparapiTensor.Memory m) {
    if (m.mem != 0) {
      CL10.clReleaseMemObject(m.mem);
      m.mem = 0;
      liveBytes -= m.bytes;
      live.remove(m);
    }
  }

  /** Releases the buffer of a storage whose last view was closed. */
  synchronized void release(AparapiTensor.Storage s) {
    if (s.memory != null && !closed) {
      free(s.memory);
      s.memory.clear();
    }
  }

  private void upload(AparapiTensor t, float[] data) {
    if (data.length > 0) {
      Cl.check(CL10.clEnqueueWriteBuffer(queue, t.storage.mem(), true, 0, data, null, null),
          "clEnqueueWriteBuffer");
      uploads++;
      uploadBytes += 4L * data.length;
    }
  }

  private void upload(AparapiTensor t, int[] data) {
    if (data.length > 0) {
      Cl.check(CL10.clEnqueueWriteBuffer(queue, t.storage.mem(), true, 0, data, null, null),
          "clEnqueueWriteBuffer");
      uploads++;
      uploadBytes += 4L * data.length;
    }
  }

  /** The host copy of an F32 tensor: downloaded once, then cached (tensors never change). */
  synchronized float[] hostFloats(Tensor t) {
    AparapiTensor a = own(t);
    AparapiTensor.Storage s = a.storage;
    if (s.dtype != DType.F32) {
      throw new IllegalArgumentException("expected an F32 tensor, got " + a.dtype() + " " + a.shape());
    }
    if (s.hostFloats == null) {
      float[] h = new float[s.length];
      if (h.length > 0) {
        Cl.check(CL10.clEnqueueReadBuffer(queue, s.mem(), true, 0, h, null, null),
            "clEnqueueReadBuffer");
        downloads++;
        downloadBytes += 4L * h.length;
      }
      s.hostFloats = h;
    }
    return s.hostFloats;
  }

  /** The host copy of an I32 tensor, kept since its upload. */
  synchronized int[] hostInts(Tensor t) {
    AparapiTensor a = own(t);
    if (a.storage.dtype != DType.I32) {
      throw new IllegalArgumentException("expected an I32 tensor, got " + a.dtype() + " " + a.shape());
    }
    return a.storage.hostInts;
  }

  // ---- Launching ----

  /**
   * Sets the arguments and enqueues {@code name} over {@code global} work-items in groups of
   * {@code local} (null: the implementation chooses). Arguments: tensors (their buffers), {@code
   * Integer}, {@code Float}, {@code Long} (a ulong), and {@code int[]} (an int8 vector, padded).
   */
  private void launch(String name, long[] global, long[] local, Object... args) {
    checkNotClosed();
    for (long g : global) {
      if (g == 0) {
        return;
      }
    }
    long k = kernels.computeIfAbsent(name, n -> {
      try (MemoryStack s = MemoryStack.stackPush()) {
        IntBuffer err = s.mallocInt(1);
        long kernel = CL10.clCreateKernel(program, n, err);
        Cl.check(err.get(0), "clCreateKernel(" + n + ")");
        return kernel;
      }
    });
    try (MemoryStack s = MemoryStack.stackPush()) {
      for (int i = 0; i < args.length; i++) {
        Object a = args[i];
        int st;
        if (a instanceof AparapiTensor t) {
          st = CL10.clSetKernelArg1p(k, i, t.storage.mem());
        } else if (a instanceof Integer v) {
          st = CL10.clSetKernelArg1i(k, i, v);
        } else if (a instanceof Float v) {
          st = CL10.clSetKernelArg1f(k, i, v);
        } else if (a instanceof Long v) {
          st = CL10.clSetKernelArg1l(k, i, v);
        } else if (a instanceof int[] v) {
          IntBuffer b = s.callocInt(MAX_RANK);
          b.put(v, 0, Math.min(v.length, MAX_RANK)).rewind();
          st = CL10.clSetKernelArg(k, i, b);
        } else {
          throw new IllegalArgumentException("kernel argument " + a);
        }
        Cl.check(st, "clSetKernelArg(" + name + ", " + i + ")");
      }
      PointerBuffer g = s.mallocPointer(global.length);
      for (int i = 0; i < global.length; i++) {
        g.put(i, global[i]);
      }
      PointerBuffer l = null;
      if (local != null) {
        l = s.mallocPointer(local.length);
        for (int i = 0; i < local.length; i++) {
          l.put(i, local[i]);
        }
      }
      Cl.check(CL10.clEnqueueNDRangeKernel(queue, k, global.length, null, g, l, null, null),
          "clEnqueueNDRangeKernel(" + name + ")");
    }
    launches.merge(name, 1L, Long::sum);
  }

  private static long[] groups(long n) {
    return new long[] {(n + GROUP - 1) / GROUP * GROUP};
  }

  private static final long[] LOCAL = {GROUP};

  private void elementwiseLaunch(String name, int n, Object... args) {
    launch(name, groups(n), LOCAL, args);
  }

  private static void checkRank(String op, Shape s) {
    if (s.rank() > MAX_RANK) {
      throw new IllegalArgumentException("backend 'aparapi': " + op + " of a rank-" + s.rank()
          + " tensor " + s + "; the device kernels take rank <= " + MAX_RANK);
    }
  }

  /** Strides of {@code in} aligned to the axes of {@code out}, 0 along broadcast axes. */
  private static int[] alignedStrides(Shape in, Shape out) {
    int r = out.rank();
    int[] s = in.strides();
    int[] aligned = new int[r];
    for (int i = 0; i < r; i++) {
      int j = i - (r - in.rank());
      aligned[i] = j < 0 || in.dim(j) == 1 ? 0 : s[j];
    }
    return aligned;
  }

  private void copy(AparapiTensor x, int xoff, int[] xs, AparapiTensor y, int yoff, int[] ys,
      Shape dims) {
    checkRank("copy", dims);
    int n = dims.size();
    elementwiseLaunch("copy_strided", n, x, xoff, xs, y, yoff, ys, dims.dims(), dims.rank(), n);
  }

  // ---- Memory ----

  @Override
  public synchronized Tensor fromHost(float[] data, Shape shape) {
    AparapiTensor t = allocate(DType.F32, data.length, shape, "tensor");
    upload(t, data);
    return t;
  }

  @Override
  public synchronized Tensor fromHost(int[] data, Shape shape) {
    AparapiTensor t = allocate(DType.I32, data.length, shape, "I32 tensor");
    t.storage.hostInts = data.clone();
    upload(t, data);
    return t;
  }

  @Override
  public synchronized Tensor zeros(Shape shape, DType dtype) {
    if (dtype == DType.I32) {
      return fromHost(new int[shape.size()], shape);
    }
    AparapiTensor t = newF32(shape);
    elementwiseLaunch("fill_f", shape.size(), t, 0f, shape.size());
    return t;
  }

  @Override
  public synchronized Tensor reshape(Tensor x, Shape shape) {
    AparapiTensor a = own(x);
    return new AparapiTensor(this, ShapeRules.reshape(x.shape(), shape), a.storage);
  }

  @Override
  public synchronized Tensor permute(Tensor x, int[] axes) {
    AparapiTensor a = own(x);
    Shape out = ShapeRules.permute(x.shape(), axes);
    int[] s = x.shape().strides();
    int[] xs = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      xs[i] = s[x.shape().axis(axes[i])];
    }
    AparapiTensor y = newF32(out);
    copy(a, 0, xs, y, 0, out.strides(), out);
    return y;
  }

  @Override
  public synchronized Tensor slice(Tensor x, int axis, int start, int end) {
    AparapiTensor a = own(x);
    Shape out = ShapeRules.slice(x.shape(), axis, start, end);
    int ax = x.shape().axis(axis);
    AparapiTensor y = newF32(out);
    copy(a, start * x.shape().strides()[ax], x.shape().strides(), y, 0, out.strides(), out);
    return y;
  }

  @Override
  public synchronized Tensor concat(List<Tensor> parts, int axis) {
    List<Shape> shapes = new ArrayList<>();
    for (Tensor t : parts) {
      shapes.add(t.shape());
    }
    Shape out = ShapeRules.concat(shapes, axis);
    int ax = out.axis(axis);
    AparapiTensor y = newF32(out);
    int at = 0;
    for (Tensor t : parts) {
      AparapiTensor p = own(t);
      copy(p, 0, t.shape().strides(), y, at * out.strides()[ax], out.strides(), t.shape());
      at += t.shape().dim(ax);
    }
    return y;
  }

  // ---- Linear algebra ----

  @Override
  public synchronized Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    return product(a, b, transposeA, transposeB, null);
  }

  @Override
  public synchronized Tensor linear(Tensor x, Tensor w, boolean transposeW, Tensor bias) {
    if (bias != null) {
      int n = transposeW ? w.shape().dim(0) : w.shape().dim(-1);
      if (bias.shape().rank() != 1 || bias.shape().dim(0) != n) {
        throw new IllegalArgumentException(
            "linear: bias " + bias.shape() + " must be (" + n + "), the output width");
      }
    }
    return product(x, w, false, transposeW, bias);
  }

  private Tensor product(Tensor a, Tensor b, boolean ta, boolean tb, Tensor bias) {
    AparapiTensor fa = own(a);
    AparapiTensor fb = own(b);
    AparapiTensor fbias = bias == null ? dummy : own(bias);
    Shape out = ShapeRules.matmul(a.shape(), b.shape(), ta, tb);
    int m = out.dim(-2);
    int n = out.dim(-1);
    int k = ta ? a.shape().dim(-2) : a.shape().dim(-1);
    AparapiTensor c = newF32(out);
    if (out.size() == 0) {
      return c;
    }
    int batch = out.size() / (m * n);
    int strideA = a.shape().rank() == 2 ? 0 : m * k;
    int strideB = b.shape().rank() == 2 ? 0 : k * n;
    Object[] args = {
      fa, fb, c, fbias, bias == null ? 0 : 1, m, n, k, ta ? 1 : 0, tb ? 1 : 0, strideA, strideB
    };
    if (m >= BLOCK / 2 && n >= BLOCK / 2) {
      // 64×64 blocks, 4×4 outputs a thread: several times the 16×16 kernel's rate once the
      // product is big enough that the blocks' edges waste little
      launch("matmul64", new long[] {roundUp(n, BLOCK) / 4, roundUp(m, BLOCK) / 4, batch},
          new long[] {TILE, TILE, 1}, args);
    } else {
      launch("matmul", new long[] {roundUp(n, TILE), roundUp(m, TILE), batch},
          new long[] {TILE, TILE, 1}, args);
    }
    return c;
  }

  private static long roundUp(long v, long m) {
    return (v + m - 1) / m * m;
  }

  /**
   * Dequantizes each weight once and keeps it on the device for as long as the weight lives, so
   * a quantized model uploads its weights once, not at every call.
   */
  @Override
  public synchronized Tensor quantizedLinear(Tensor x, QuantizedWeight w, Tensor bias) {
    Tensor dense = dequantized.get(w);
    if (dense == null) {
      dense = fromHost(w.dequantize(), w.shape());
      dequantized.put(w, dense);
    }
    return linear(x, dense, false, bias);
  }

  // ---- Elementwise ----

  @Override
  public synchronized Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    Shape out = ShapeRules.broadcast(op.name().toLowerCase(Locale.ROOT), a.shape(), b.shape());
    checkRank(op.name().toLowerCase(Locale.ROOT), out);
    AparapiTensor fa = own(a);
    AparapiTensor fb = own(b);
    AparapiTensor y = newF32(out);
    boolean flat = a.shape().equals(out) && b.shape().equals(out);
    int n = out.size();
    elementwiseLaunch("binary", n, op.ordinal(), fa, alignedStrides(a.shape(), out), fb,
        alignedStrides(b.shape(), out), out.dims(), out.rank(), flat ? 1 : 0, y, n);
    return y;
  }

  @Override
  public synchronized Tensor unary(UnaryOp op, Tensor x) {
    AparapiTensor y = newF32(x.shape());
    elementwiseLaunch("unary", x.shape().size(), op.ordinal(), own(x), y, x.shape().size());
    return y;
  }

  @Override
  public synchronized Tensor affine(Tensor x, float scale, float shift) {
    AparapiTensor y = newF32(x.shape());
    elementwiseLaunch("affine", x.shape().size(), own(x), y, scale, shift, x.shape().size());
    return y;
  }

  @Override
  public synchronized Tensor activation(Activation f, Tensor x) {
    AparapiTensor y = newF32(x.shape());
    elementwiseLaunch("activation", x.shape().size(), f.ordinal(), own(x), y, x.shape().size());
    return y;
  }

  @Override
  public synchronized Tensor activationBackward(Activation f, Tensor x, Tensor dy) {
    AparapiTensor y = newF32(x.shape());
    elementwiseLaunch("activation_backward", x.shape().size(), f.ordinal(), own(x), own(dy), y,
        x.shape().size());
    return y;
  }

  // ---- Reductions ----

  @Override
  public synchronized Tensor reduce(ReduceOp op, Tensor x, int axis, boolean keepDim) {
    Shape sx = x.shape();
    Shape out = ShapeRules.reduce(op.name(), sx, axis, keepDim);
    int a = sx.axis(axis);
    int outer = sx.sizeBefore(a);
    int inner = sx.sizeAfter(a);
    AparapiTensor y = newF32(out);
    elementwiseLaunch("reduce_axis", outer * inner, op.ordinal(), own(x), y, outer, sx.dim(a),
        inner);
    return y;
  }

  @Override
  public synchronized Tensor sumTo(Tensor x, Shape target) {
    Shape sx = x.shape();
    ShapeRules.broadcast("sum_to", target, sx); // target must broadcast to x
    // Sum every axis along which target broadcasts, keeping it, then drop the leading ones.
    Tensor cur = x;
    int lead = sx.rank() - target.rank();
    for (int d = 0; d < sx.rank(); d++) {
      if (d < lead || (target.dim(d - lead) == 1 && sx.dim(d) != 1)) {
        Tensor next = reduce(ReduceOp.SUM, cur, d, true);
        if (cur != x) {
          cur.close();
        }
        cur = next;
      }
    }
    if (cur == x) {
      AparapiTensor y = newF32(target);
      copy(own(x), 0, sx.strides(), y, 0, sx.strides(), sx);
      return y;
    }
    Tensor r = reshape(cur, target);
    cur.close();
    return r;
  }

  @Override
  public synchronized Tensor broadcastTo(Tensor x, Shape target) {
    ShapeRules.broadcast("broadcast_to", x.shape(), target);
    AparapiTensor y = newF32(target);
    copy(own(x), 0, alignedStrides(x.shape(), target), y, 0, target.strides(), target);
    return y;
  }

  // ---- Softmax and normalization ----

  private static long[] rowsRange(int rows) {
    return new long[] {(long) rows * GROUP};
  }

  @Override
  public synchronized Tensor softmax(Tensor x, Tensor mask, boolean causal) {
    Shape sx = x.shape();
    checkRank("softmax", sx);
    AparapiTensor fx = own(x);
    AparapiTensor fm = mask == null ? dummy : own(mask);
    int cols = sx.dim(-1);
    AparapiTensor y = newF32(sx);
    if (sx.size() == 0) {
      return y;
    }
    int[] ms = mask == null ? new int[MAX_RANK] : alignedStrides(mask.shape(), sx);
    int tq = sx.rank() >= 2 ? sx.dim(-2) : 1;
    launch("softmax", rowsRange(sx.size() / cols), LOCAL, fx, fm, ms, sx.dims(), sx.rank(),
        mask == null ? 0 : 1, causal ? 1 : 0, tq, cols, y);
    return y;
  }

  private Tensor rowKernel(String name, Shape shape, Object... inputs) {
    AparapiTensor y = newF32(shape);
    if (shape.size() == 0) {
      return y;
    }
    int cols = shape.dim(-1);
    Object[] args = new Object[inputs.length + 2];
    for (int i = 0; i < inputs.length; i++) {
      args[i] = inputs[i] instanceof Tensor t ? own(t) : inputs[i];
    }
    args[inputs.length] = y;
    args[inputs.length + 1] = cols;
    launch(name, rowsRange(shape.size() / cols), LOCAL, args);
    return y;
  }

  @Override
  public synchronized Tensor softmaxBackward(Tensor y, Tensor dy) {
    return rowKernel("softmax_backward", y.shape(), y, dy);
  }

  @Override
  public synchronized Tensor logSoftmax(Tensor x) {
    return rowKernel("log_softmax", x.shape(), x);
  }

  @Override
  public synchronized Tensor logSoftmaxBackward(Tensor y, Tensor dy) {
    return rowKernel("log_softmax_backward", y.shape(), y, dy);
  }

  @Override
  public synchronized Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
    return norm(0, x, gamma, beta, eps);
  }

  @Override
  public synchronized Tensor rmsNorm(Tensor x, Tensor gamma, float eps) {
    return norm(1, x, gamma, null, eps);
  }

  private Tensor norm(int rms, Tensor x, Tensor gamma, Tensor beta, float eps) {
    Shape sx = x.shape();
    AparapiTensor y = newF32(sx);
    int c = sx.dim(-1);
    if (sx.size() == 0) {
      return y;
    }
    launch("norm_forward", rowsRange(sx.size() / c), LOCAL, rms, own(x), own(gamma),
        beta == null ? dummy : own(beta), y, c, eps);
    return y;
  }

  @Override
  public synchronized Tensor[] layerNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy) {
    return normBackward(0, x, gamma, eps, dy);
  }

  @Override
  public synchronized Tensor[] rmsNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy) {
    return normBackward(1, x, gamma, eps, dy);
  }

  private Tensor[] normBackward(int rms, Tensor x, Tensor gamma, float eps, Tensor dy) {
    Shape sx = x.shape();
    int c = sx.dim(-1);
    int rows = c == 0 ? 0 : sx.size() / c;
    AparapiTensor dx = newF32(sx);
    AparapiTensor dg = newF32(gamma.shape());
    AparapiTensor db = rms == 1 ? null : newF32(gamma.shape());
    AparapiTensor stats = newF32(Shape.of(Math.max(1, 2 * rows)));
    try {
      if (rows == 0) {
        elementwiseLaunch("fill_f", c, dg, 0f, c);
        if (db != null) {
          elementwiseLaunch("fill_f", c, db, 0f, c);
        }
      } else {
        launch("norm_backward_dx", rowsRange(rows), LOCAL, rms, own(x), own(gamma), own(dy), dx,
            stats, c, eps);
        elementwiseLaunch("norm_backward_params", c, rms, own(x), own(dy), stats, dg,
            db == null ? dummy : db, rows, c);
      }
    } finally {
      stats.close();
    }
    return rms == 1 ? new Tensor[] {dx, dg} : new Tensor[] {dx, dg, db};
  }

  // ---- Embeddings, dropout, loss ----

  @Override
  public synchronized Tensor embedding(Tensor table, Tensor ids) {
    int v = table.shape().dim(0);
    int c = table.shape().dim(1);
    int[] h = hostInts(ids);
    for (int i = 0; i < h.length; i++) {
      if (h[i] < 0 || h[i] >= v) {
        throw new IllegalArgumentException(
            "embedding: id " + h[i] + " at position " + i + " is outside the vocabulary [0, " + v
                + ")");
      }
    }
    Shape out = ids.shape().append(c);
    AparapiTensor y = newF32(out);
    elementwiseLaunch("embedding", out.size(), own(table), own(ids), y, c, out.size());
    return y;
  }

  @Override
  public synchronized Tensor embeddingBackward(Tensor ids, Tensor dy, int vocabSize) {
    int c = dy.shape().dim(-1);
    int[] h = hostInts(ids);
    for (int i = 0; i < h.length; i++) {
      if (h[i] < 0 || h[i] >= vocabSize) {
        throw new IllegalArgumentException(
            "embedding_backward: id " + h[i] + " at position " + i
                + " is outside the vocabulary [0, " + vocabSize + ")");
      }
    }
    Shape out = Shape.of(vocabSize, c);
    AparapiTensor y = newF32(out);
    elementwiseLaunch("fill_f", out.size(), y, 0f, out.size());
    elementwiseLaunch("embedding_backward", c, own(ids), own(dy), y, h.length, c);
    return y;
  }

  @Override
  public synchronized Tensor dropout(Tensor x, float p, long seed) {
    AparapiTensor fx = own(x);
    AparapiTensor y = newF32(x.shape());
    int n = x.shape().size();
    if (p <= 0) {
      copy(fx, 0, x.shape().strides(), y, 0, x.shape().strides(), x.shape());
      return y;
    }
    elementwiseLaunch("dropout", n, fx, y, p, 1f / (1f - p), seed, n);
    return y;
  }

  /** The number of rows that count toward the mean loss, after checking every target. */
  private int countTargets(int[] t, int v, int ignoreIndex) {
    int counted = 0;
    for (int r = 0; r < t.length; r++) {
      if (t[r] == ignoreIndex) {
        continue;
      }
      if (t[r] < 0 || t[r] >= v) {
        throw new IllegalArgumentException(
            "cross_entropy: target " + t[r] + " at row " + r + " is outside [0, " + v + ")");
      }
      counted++;
    }
    return counted;
  }

  @Override
  public synchronized Tensor crossEntropy(
      Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing) {
    int n = logits.shape().dim(0);
    int v = logits.shape().dim(1);
    int counted = countTargets(hostInts(targets), v, ignoreIndex);
    AparapiTensor loss = newF32(Shape.scalar());
    if (counted == 0) {
      elementwiseLaunch("fill_f", 1, loss, 0f, 1);
      return loss;
    }
    AparapiTensor rows = newF32(Shape.of(n));
    try {
      launch("cross_entropy_rows", rowsRange(n), LOCAL, own(logits), own(targets), rows, v,
          ignoreIndex, labelSmoothing);
      launch("mean_of", new long[] {GROUP}, LOCAL, rows, loss, n, (float) counted);
    } finally {
      rows.close();
    }
    return loss;
  }

  @Override
  public synchronized Tensor crossEntropyBackward(
      Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing, float dLoss) {
    int n = logits.shape().dim(0);
    int v = logits.shape().dim(1);
    int counted = countTargets(hostInts(targets), v, ignoreIndex);
    AparapiTensor d = newF32(logits.shape());
    if (counted == 0) {
      elementwiseLaunch("fill_f", n * v, d, 0f, n * v);
      return d;
    }
    launch("cross_entropy_backward", rowsRange(n), LOCAL, own(logits), own(targets), d, v,
        ignoreIndex, labelSmoothing, (float) (dLoss / (double) counted));
    return d;
  }

  // ---- Attention ----

  private boolean fusedAttention(Tensor q, Tensor k) {
    return q.shape().rank() == 4 && k.shape().rank() == 4 && q.shape().dim(-1) <= MAX_HS
        && q.shape().dim(-1) > 0;
  }

  private int[] maskStrides(Tensor mask, Shape scores) {
    return mask == null ? new int[MAX_RANK] : alignedStrides(mask.shape(), scores);
  }

  @Override
  public synchronized Tensor attention(
      Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale) {
    if (!fusedAttention(q, k)) {
      return ComputeBackend.super.attention(q, k, v, mask, causal, scale);
    }
    Shape sq = q.shape();
    int b = sq.dim(0);
    int nh = sq.dim(1);
    int tq = sq.dim(2);
    int hs = sq.dim(3);
    int tk = k.shape().dim(2);
    Shape scores = Shape.of(b, nh, tq, tk);
    AparapiTensor out = newF32(sq);
    int n = b * nh * tq;
    elementwiseLaunch("attention_forward", n, own(q), own(k), own(v),
        mask == null ? dummy : own(mask), mask == null ? 0 : 1, maskStrides(mask, scores),
        causal ? 1 : 0, nh, tq, tk, hs, scale, out, n);
    return out;
  }

  @Override
  public synchronized Tensor[] attentionBackward(
      Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale, Tensor dOut) {
    if (!fusedAttention(q, k)) {
      return ComputeBackend.super.attentionBackward(q, k, v, mask, causal, scale, dOut);
    }
    Shape sq = q.shape();
    int b = sq.dim(0);
    int nh = sq.dim(1);
    int tq = sq.dim(2);
    int hs = sq.dim(3);
    int tk = k.shape().dim(2);
    int[] ms = maskStrides(mask, Shape.of(b, nh, tq, tk));
    AparapiTensor fm = mask == null ? dummy : own(mask);
    int hasMask = mask == null ? 0 : 1;
    int nq = b * nh * tq;
    int nk = b * nh * tk;
    AparapiTensor stats = newF32(Shape.of(Math.max(1, 3 * nq)));
    AparapiTensor dq = newF32(sq);
    AparapiTensor dk = newF32(k.shape());
    AparapiTensor dv = newF32(v.shape());
    try {
      Object[] common = {own(q), own(k), own(v), fm, hasMask, ms, causal ? 1 : 0, nh, tq, tk, hs,
          scale, own(dOut)};
      elementwiseLaunch("attention_backward_stats", nq, with(common, stats, nq));
      elementwiseLaunch("attention_backward_dq", nq, with(common, stats, dq, nq));
      elementwiseLaunch("attention_backward_dkdv", nk, with(common, stats, dk, dv, nk));
    } finally {
      stats.close();
    }
    return new Tensor[] {dq, dk, dv};
  }

  private static Object[] with(Object[] head, Object... tail) {
    Object[] r = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, r, head.length, tail.length);
    return r;
  }

  /**
   * Waits for the queued kernels, reads every live tensor back to the host (so tensors stay
   * readable), then releases the device buffers, kernels, program and context. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    CL10.clFinish(queue);
    for (AparapiTensor.Memory m : new ArrayList<>(live)) {
      AparapiTensor.Storage s = m.get();
      if (s != null && s.dtype == DType.F32 && s.hostFloats == null && m.mem != 0) {
        float[] h = new float[s.length];
        if (h.length > 0) {
          CL10.clEnqueueReadBuffer(queue, m.mem, true, 0, h, null, null);
        }
        s.hostFloats = h;
      }
      free(m);
    }
    closed = true;
    for (long k : kernels.values()) {
      CL10.clReleaseKernel(k);
    }
    kernels.clear();
    CL10.clReleaseProgram(program);
    CL10.clReleaseCommandQueue(queue);
    CL10.clReleaseContext(context);
  }
}
