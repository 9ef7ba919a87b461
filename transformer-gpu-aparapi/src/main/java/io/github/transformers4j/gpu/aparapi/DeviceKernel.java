package io.github.transformers4j.gpu.aparapi;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.kernel.KernelManager;
import java.util.ArrayList;
import java.util.List;

/**
 * One Aparapi kernel instance bound to one OpenCL device, with the bookkeeping that Aparapi leaves
 * to its caller: which outputs still live only in its buffers, and whether a launch really ran on
 * OpenCL.
 *
 * <p>Aparapi keeps one OpenCL buffer per kernel <em>field</em>, and recreates it from the host
 * array whenever the field is bound to another array (or the JVM moved the array). An output
 * therefore stays on the device only until this kernel's next launch; {@link #flushPending()}
 * reads such outputs back first.
 *
 * <p>Aparapi silently falls back to a Java thread pool when it cannot translate or run a kernel.
 * Launching with a {@link Range} that names the device turns that fallback into an {@link
 * AssertionError} inside Aparapi, and the device is marked failed in the kernel class's
 * preferences; both are turned into an {@link IllegalStateException} here, so a kernel either runs
 * on OpenCL or the op fails loudly.
 */
final class DeviceKernel<K extends Kernel> {
  final K kernel;
  final OpenCLDevice device;
  private final List<AparapiTensor.Storage> pending = new ArrayList<>();
  private long launches;

  DeviceKernel(K kernel, OpenCLDevice device) {
    this.kernel = kernel;
    this.device = device;
    // Transfers only when asked (put) or when a field is rebound; never a read-back per launch.
    kernel.setExplicit(true);
  }

  /** Launches that ran on the OpenCL device. */
  long launches() {
    return launches;
  }

  /** Reads the outputs of earlier launches back to the host; call before rebinding fields. */
  void flushPending() {
    for (AparapiTensor.Storage s : pending) {
      kernel.get(s.floats);
      s.owner = null;
    }
    pending.clear();
  }

  /** Reads one output back to the host. */
  void fetch(AparapiTensor.Storage s) {
    if (s.owner != this) {
      throw new IllegalStateException("storage is not owned by kernel " + name());
    }
    kernel.get(s.floats);
    s.owner = null;
    pending.remove(s);
  }

  /** Records that {@code s} was written by the launch just made and is not yet on the host. */
  void own(AparapiTensor.Storage s) {
    s.owner = this;
    pending.add(s);
  }

  /** Executes on the device or throws; never lets Aparapi's Java fallback compute the result. */
  void launch(Range range) {
    checkNotFailed();
    try {
      kernel.execute(range);
    } catch (AssertionError e) {
      throw new IllegalStateException(
          name() + " could not run on " + device.getShortDescription()
              + " (Aparapi wanted to fall back to Java; its log above says why)", e);
    }
    checkNotFailed();
    launches++;
  }

  private void checkNotFailed() {
    if (KernelManager.instance().getPreferences(kernel).getFailedDevices().contains(device)) {
      throw new IllegalStateException(
          name() + " failed on " + device.getShortDescription()
              + " earlier in this JVM; Aparapi will not use that device for it again");
    }
  }

  /** Releases the OpenCL buffers and program after reading back pending outputs. */
  void dispose() {
    flushPending();
    kernel.dispose();
  }

  String name() {
    return kernel.getClass().getSimpleName();
  }
}
