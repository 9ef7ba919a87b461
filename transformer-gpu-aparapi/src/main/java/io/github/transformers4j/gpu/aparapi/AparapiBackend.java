package io.github.transformers4j.gpu.aparapi;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.OpenCLDevice;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.reference.HostKernels;
import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.ReduceOp;
import io.github.transformers4j.api.ShapeRules;
import io.github.transformers4j.api.UnaryOp;
import io.github.transformers4j.gpu.aparapi.kernels.ElementwiseKernel;
import io.github.transformers4j.gpu.aparapi.kernels.MatmulKernel;
import io.github.transformers4j.gpu.aparapi.kernels.SoftmaxKernel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The OpenCL compute backend through Aparapi: matmul, elementwise ops and softmax run as OpenCL
 * kernels; the other kernels of the SPI run on the host.
 *
 * <p><b>On the device</b> ({@code kernels} package, one Aparapi kernel instance each, compiled on
 * first use and reused): {@link #matmul} (tiled in local memory, batched, transposes);
 * {@link #binary} (broadcasting), {@link #unary}, {@link #affine}, {@link #activation} and {@link
 * #activationBackward} (one elementwise program); {@link #softmax} (additive broadcast mask,
 * causal) and {@link #softmaxBackward}; and so the default {@link #attention} and its backward,
 * which compose them. Tensors of rank above 8 take the host path for broadcasting and masks.
 *
 * <p><b>On the host</b>, the explicit and known round trip: permute, slice, concat, reduce, sumTo,
 * broadcastTo, logSoftmax and its backward, layer and RMS norm and their backwards, embedding and
 * its backward, dropout, cross-entropy and its backward. Each reads its inputs back from the
 * device if they are newer there, computes with {@link HostKernels}, and returns a tensor whose
 * fresh copy is on the host (uploaded by the next device kernel that reads it).
 *
 * <p><b>Buffer residency, and what Aparapi allows.</b> Aparapi 3.0.2 owns the OpenCL buffers: it
 * keeps one buffer per <em>field</em> of a kernel instance, creates it from the host array
 * (copying, or wrapping the host memory on shared-memory devices such as PoCL) when the field is
 * bound to a new array, when the JVM has moved the array, and on first launch, and otherwise
 * transfers only what {@code put}/{@code get} ask for in explicit mode. So a buffer cannot be
 * handed from one kernel (or one field) to another: data written by one kernel reaches the next
 * only through the host, whether the two are different kernel instances or the same
 * multi-purpose instance with the data in a different field. A single kernel with one big arena
 * array would keep everything resident, but Aparapi can only transfer whole arrays, so every host
 * read would move the whole arena. This backend therefore uses explicit mode and a lazy read-back:
 * an output stays in its kernel's buffer (its {@link AparapiTensor.Storage} names the kernel)
 * until the host or another kernel needs it, or until that kernel launches again and its fields
 * are rebound. Inputs are always fresh on the host when bound, which also makes the design safe
 * against Aparapi recreating a buffer from the host array after a garbage collection moved it.
 *
 * <p>Kernels that Aparapi cannot run on OpenCL fail with an {@link IllegalStateException} instead
 * of silently running Aparapi's Java fallback (see {@link DeviceKernel}).
 *
 * <p>Thread safety: all kernels and host reads synchronize on the backend.
 */
public final class AparapiBackend implements ComputeBackend {
  private static final int GROUP = 64;

  private final OpenCLDevice device;
  private final int deviceIndex;
  private final float[] dummy = new float[1];
  private DeviceKernel<MatmulKernel> matmul;
  private DeviceKernel<ElementwiseKernel> elementwise;
  private DeviceKernel<SoftmaxKernel> softmax;
  private boolean closed;

  private AparapiBackend(OpenCLDevice device, int deviceIndex) {
    this.device = device;
    this.deviceIndex = deviceIndex;
  }

  /** Opens the backend on OpenCL device {@code index} (platform order, as {@code clinfo -l}). */
  static AparapiBackend open(int index) {
    List<OpenCLDevice> devices = OpenClDevices.list();
    if (index >= devices.size()) {
      List<String> names = new ArrayList<>();
      for (OpenCLDevice d : devices) {
        names.add(d.getName());
      }
      throw new IllegalArgumentException(
          "backend 'aparapi': no OpenCL device " + index + "; found " + names);
    }
    return new AparapiBackend(devices.get(index), index);
  }

  @Override
  public String name() {
    return "aparapi";
  }

  @Override
  public String description() {
    return "device " + deviceIndex + ": " + OpenClDevices.describe(device)
        + "; matmul, elementwise and softmax on OpenCL, other kernels on the host";
  }

  /** Launches that ran on the OpenCL device, by kernel class; for tests and diagnostics. */
  synchronized Map<String, Long> deviceLaunches() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (DeviceKernel<?> k : kernels()) {
      m.put(k.name(), k.launches());
    }
    return m;
  }

  /** The OpenCL device this backend runs on. */
  OpenCLDevice device() {
    return device;
  }

  /** The kernels created so far. */
  List<DeviceKernel<?>> kernels() {
    List<DeviceKernel<?>> l = new ArrayList<>();
    for (DeviceKernel<?> k : new DeviceKernel<?>[] {matmul, elementwise, softmax}) {
      if (k != null) {
        l.add(k);
      }
    }
    return l;
  }

  private <K extends Kernel> DeviceKernel<K> kernel(DeviceKernel<K> existing, Supplier<K> make) {
    if (closed) {
      throw new IllegalStateException("backend 'aparapi' is closed");
    }
    return existing != null ? existing : new DeviceKernel<>(make.get(), device);
  }

  // ---- Tensors and the host/device boundary ----

  private AparapiTensor own(Tensor t) {
    if (t.backend() != this || !(t instanceof AparapiTensor a)) {
      throw new IllegalArgumentException(
          "tensor " + t + " belongs to backend '" + t.backend().name()
              + "', not to this 'aparapi' backend");
    }
    a.checkOpen();
    return a;
  }

  /** The host array of an F32 tensor, read back from the device first if it is newer there. */
  synchronized float[] hostFloats(Tensor t) {
    AparapiTensor a = own(t);
    if (a.storage.floats == null) {
      throw new IllegalArgumentException("expected an F32 tensor, got " + a.dtype() + " " + a.shape());
    }
    if (a.storage.owner != null) {
      a.storage.owner.fetch(a.storage);
    }
    return a.storage.floats;
  }

  /** The host array of an I32 tensor (I32 tensors are only ever written on the host). */
  synchronized int[] hostInts(Tensor t) {
    AparapiTensor a = own(t);
    if (a.storage.ints == null) {
      throw new IllegalArgumentException("expected an I32 tensor, got " + a.dtype() + " " + a.shape());
    }
    return a.storage.ints;
  }

  private Tensor host(float[] data, Shape shape) {
    return new AparapiTensor(this, shape, DType.F32, new AparapiTensor.Storage(data, null));
  }

  private Tensor device(float[] data, Shape shape, DeviceKernel<?> writer) {
    AparapiTensor.Storage s = new AparapiTensor.Storage(data, null);
    writer.own(s);
    return new AparapiTensor(this, shape, DType.F32, s);
  }

  private static int roundUp(int v, int m) {
    return (v + m - 1) / m * m;
  }

  // ---- Memory ----

  @Override
  public Tensor fromHost(float[] data, Shape shape) {
    return host(data.clone(), shape);
  }

  @Override
  public Tensor fromHost(int[] data, Shape shape) {
    return new AparapiTensor(this, shape, DType.I32, new AparapiTensor.Storage(null, data.clone()));
  }

  @Override
  public Tensor zeros(Shape shape, DType dtype) {
    return dtype == DType.I32
        ? fromHost(new int[shape.size()], shape)
        : host(new float[shape.size()], shape);
  }

  @Override
  public synchronized Tensor reshape(Tensor x, Shape shape) {
    AparapiTensor a = own(x);
    return new AparapiTensor(this, ShapeRules.reshape(x.shape(), shape), a.dtype(), a.storage);
  }

  @Override
  public synchronized Tensor permute(Tensor x, int[] axes) {
    return host(
        HostKernels.permute(hostFloats(x), x.shape(), axes), ShapeRules.permute(x.shape(), axes));
  }

  @Override
  public synchronized Tensor slice(Tensor x, int axis, int start, int end) {
    return host(
        HostKernels.slice(hostFloats(x), x.shape(), axis, start, end),
        ShapeRules.slice(x.shape(), axis, start, end));
  }

  @Override
  public synchronized Tensor concat(List<Tensor> parts, int axis) {
    List<float[]> data = new ArrayList<>();
    List<Shape> shapes = new ArrayList<>();
    for (Tensor t : parts) {
      data.add(hostFloats(t));
      shapes.add(t.shape());
    }
    return host(HostKernels.concat(data, shapes, axis), ShapeRules.concat(shapes, axis));
  }

  // ---- Linear algebra (device) ----

  @Override
  public synchronized Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    Shape out = ShapeRules.matmul(a.shape(), b.shape(), transposeA, transposeB);
    int m = out.dim(-2);
    int n = out.dim(-1);
    int k = transposeA ? a.shape().dim(-2) : a.shape().dim(-1);
    if (out.size() == 0 || k == 0) {
      // OpenCL has no zero-sized buffers; an empty sum is 0.
      return host(new float[out.size()], out);
    }
    int batch = out.size() / (m * n);
    float[] fa = hostFloats(a);
    float[] fb = hostFloats(b);
    matmul = kernel(matmul, MatmulKernel::new);
    matmul.flushPending();
    float[] c = new float[out.size()];
    int strideA = a.shape().rank() == 2 ? 0 : m * k;
    int strideB = b.shape().rank() == 2 ? 0 : k * n;
    matmul.kernel.bind(fa, fb, c, m, n, k, transposeA, transposeB, strideA, strideB);
    int t = MatmulKernel.TILE;
    matmul.launch(Range.create3D(device, roundUp(n, t), roundUp(m, t), batch, t, t, 1));
    return device(c, out, matmul);
  }

  // ---- Elementwise (device) ----

  /** Runs an op of the elementwise program over {@code size} elements. */
  private Tensor elementwise(
      int op, float[] x, float[] y, Shape out, boolean broadcast, int rank, float p0, float p1) {
    float[] r = new float[out.size()];
    if (r.length == 0) {
      return host(r, out);
    }
    elementwise = kernel(elementwise, ElementwiseKernel::new);
    elementwise.flushPending();
    elementwise.kernel.bind(op, x, y, r, r.length, broadcast, rank, p0, p1);
    // The table is one array bound for good; its host copy changed, so it must be written.
    elementwise.kernel.put(elementwise.kernel.meta());
    elementwise.launch(Range.create(device, roundUp(r.length, GROUP), GROUP));
    return device(r, out, elementwise);
  }

  @Override
  public synchronized Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    Shape out = ShapeRules.broadcast(op.name().toLowerCase(java.util.Locale.ROOT), a.shape(), b.shape());
    float[] fa = hostFloats(a);
    float[] fb = hostFloats(b);
    if (out.rank() > ElementwiseKernel.MAX_RANK) {
      return host(HostKernels.binary(op, fa, a.shape(), fb, b.shape()), out);
    }
    if (fa.length == 0 || fb.length == 0) {
      return host(new float[out.size()], out);
    }
    boolean broadcast = !(a.shape().equals(out) && b.shape().equals(out));
    if (broadcast) {
      elementwise = kernel(elementwise, ElementwiseKernel::new);
      // Filling the table rebinds nothing; pending outputs of the program stay valid.
      int[] meta = elementwise.kernel.meta();
      int r = out.rank();
      int[] dims = out.dims();
      int[] sa = alignedStrides(a.shape(), out);
      int[] sb = alignedStrides(b.shape(), out);
      for (int d = 0; d < r; d++) {
        meta[d] = dims[d];
        meta[ElementwiseKernel.MAX_RANK + d] = sa[d];
        meta[2 * ElementwiseKernel.MAX_RANK + d] = sb[d];
      }
    }
    return elementwise(
        ElementwiseKernel.BINARY + op.ordinal(), fa, fb, out, broadcast, out.rank(), 0f, 0f);
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

  @Override
  public synchronized Tensor unary(UnaryOp op, Tensor x) {
    return elementwise(
        ElementwiseKernel.UNARY + op.ordinal(), hostFloats(x), dummy, x.shape(), false, 0, 0f, 0f);
  }

  @Override
  public synchronized Tensor affine(Tensor x, float scale, float shift) {
    return elementwise(
        ElementwiseKernel.AFFINE, hostFloats(x), dummy, x.shape(), false, 0, scale, shift);
  }

  @Override
  public synchronized Tensor activation(Activation f, Tensor x) {
    return elementwise(
        ElementwiseKernel.ACTIVATION + f.ordinal(), hostFloats(x), dummy, x.shape(), false, 0, 0f,
        0f);
  }

  @Override
  public synchronized Tensor activationBackward(Activation f, Tensor x, Tensor dy) {
    return elementwise(
        ElementwiseKernel.ACTIVATION_BACKWARD + f.ordinal(), hostFloats(x), hostFloats(dy),
        x.shape(), false, 0, 0f, 0f);
  }

  // ---- Reductions (host) ----

  @Override
  public synchronized Tensor reduce(ReduceOp op, Tensor x, int axis, boolean keepDim) {
    return host(
        HostKernels.reduce(op, hostFloats(x), x.shape(), axis),
        ShapeRules.reduce(op.name(), x.shape(), axis, keepDim));
  }

  @Override
  public synchronized Tensor sumTo(Tensor x, Shape target) {
    return host(HostKernels.sumTo(hostFloats(x), x.shape(), target), target);
  }

  @Override
  public synchronized Tensor broadcastTo(Tensor x, Shape target) {
    return host(HostKernels.broadcastTo(hostFloats(x), x.shape(), target), target);
  }

  // ---- Softmax (device) and normalization (host) ----

  @Override
  public synchronized Tensor softmax(Tensor x, Tensor mask, boolean causal) {
    Shape sx = x.shape();
    float[] fx = hostFloats(x);
    float[] fm = mask == null ? null : hostFloats(mask);
    int cols = sx.dim(-1);
    if (sx.rank() > SoftmaxKernel.MAX_RANK || (fm != null && fm.length == 0)) {
      return host(HostKernels.softmax(fx, sx, fm, mask == null ? null : mask.shape(), causal), sx);
    }
    if (fx.length == 0) {
      return host(new float[0], sx);
    }
    softmax = kernel(softmax, SoftmaxKernel::new);
    softmax.flushPending();
    if (fm != null) {
      int[] meta = softmax.kernel.meta();
      int[] dims = sx.dims();
      int[] sm = alignedStrides(mask.shape(), sx);
      for (int d = 0; d < sx.rank(); d++) {
        meta[d] = dims[d];
        meta[SoftmaxKernel.MAX_RANK + d] = sm[d];
      }
    }
    float[] out = new float[fx.length];
    int tq = sx.rank() >= 2 ? sx.dim(-2) : 1;
    softmax.kernel.bindSoftmax(
        fx, fm == null ? dummy : fm, out, cols, fm != null, causal, tq, sx.rank());
    softmax.kernel.put(softmax.kernel.meta());
    softmax.launch(Range.create(device, fx.length / cols * SoftmaxKernel.GROUP, SoftmaxKernel.GROUP));
    return device(out, sx, softmax);
  }

  @Override
  public synchronized Tensor softmaxBackward(Tensor y, Tensor dy) {
    float[] fy = hostFloats(y);
    float[] fdy = hostFloats(dy);
    if (fy.length == 0) {
      return host(new float[0], y.shape());
    }
    int cols = y.shape().dim(-1);
    softmax = kernel(softmax, SoftmaxKernel::new);
    softmax.flushPending();
    float[] out = new float[fy.length];
    softmax.kernel.bindBackward(fy, fdy, out, cols);
    softmax.launch(Range.create(device, fy.length / cols * SoftmaxKernel.GROUP, SoftmaxKernel.GROUP));
    return device(out, y.shape(), softmax);
  }

  @Override
  public synchronized Tensor logSoftmax(Tensor x) {
    return host(HostKernels.logSoftmax(hostFloats(x), x.shape().dim(-1)), x.shape());
  }

  @Override
  public synchronized Tensor logSoftmaxBackward(Tensor y, Tensor dy) {
    return host(
        HostKernels.logSoftmaxBackward(hostFloats(y), hostFloats(dy), y.shape().dim(-1)),
        y.shape());
  }

  @Override
  public synchronized Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
    return host(
        HostKernels.layerNorm(
            hostFloats(x), x.shape().dim(-1), hostFloats(gamma), hostFloats(beta), eps),
        x.shape());
  }

  @Override
  public synchronized Tensor[] layerNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy) {
    float[][] g =
        HostKernels.layerNormBackward(
            hostFloats(x), x.shape().dim(-1), hostFloats(gamma), eps, hostFloats(dy));
    return new Tensor[] {
      host(g[0], x.shape()), host(g[1], gamma.shape()), host(g[2], gamma.shape())
    };
  }

  @Override
  public synchronized Tensor rmsNorm(Tensor x, Tensor gamma, float eps) {
    return host(
        HostKernels.rmsNorm(hostFloats(x), x.shape().dim(-1), hostFloats(gamma), eps), x.shape());
  }

  @Override
  public synchronized Tensor[] rmsNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy) {
    float[][] g =
        HostKernels.rmsNormBackward(
            hostFloats(x), x.shape().dim(-1), hostFloats(gamma), eps, hostFloats(dy));
    return new Tensor[] {host(g[0], x.shape()), host(g[1], gamma.shape())};
  }

  // ---- Embeddings, dropout, loss (host) ----

  @Override
  public synchronized Tensor embedding(Tensor table, Tensor ids) {
    int v = table.shape().dim(0);
    int c = table.shape().dim(1);
    return host(
        HostKernels.embedding(hostFloats(table), v, c, hostInts(ids)), ids.shape().append(c));
  }

  @Override
  public synchronized Tensor embeddingBackward(Tensor ids, Tensor dy, int vocabSize) {
    int c = dy.shape().dim(-1);
    return host(
        HostKernels.embeddingBackward(hostInts(ids), hostFloats(dy), vocabSize, c),
        Shape.of(vocabSize, c));
  }

  @Override
  public synchronized Tensor dropout(Tensor x, float p, long seed) {
    return host(HostKernels.dropout(hostFloats(x), p, seed), x.shape());
  }

  @Override
  public synchronized Tensor crossEntropy(
      Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing) {
    int n = logits.shape().dim(0);
    int v = logits.shape().dim(1);
    float loss =
        HostKernels.crossEntropy(
            hostFloats(logits), n, v, hostInts(targets), ignoreIndex, labelSmoothing);
    return host(new float[] {loss}, Shape.scalar());
  }

  @Override
  public synchronized Tensor crossEntropyBackward(
      Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing, float dLoss) {
    int n = logits.shape().dim(0);
    int v = logits.shape().dim(1);
    return host(
        HostKernels.crossEntropyBackward(
            hostFloats(logits), n, v, hostInts(targets), ignoreIndex, labelSmoothing, dLoss),
        logits.shape());
  }

  /**
   * Reads every pending output back to the host (tensors stay readable), then releases the
   * kernels' OpenCL buffers and programs. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (DeviceKernel<?> k : kernels()) {
      k.dispose();
    }
    matmul = null;
    elementwise = null;
    softmax = null;
  }
}
