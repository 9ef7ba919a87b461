package io.github.transformers4j.gpu.aparapi;

/**
 * Host-device transfers of one backend: how many buffer writes (uploads) and reads (downloads),
 * and how many bytes each moved. Kernel launch arguments (scalars, shapes) travel with the launch
 * command and are not counted; every {@code clEnqueueWriteBuffer} and {@code clEnqueueReadBuffer}
 * is.
 */
public record Transfers(long uploads, long uploadBytes, long downloads, long downloadBytes) {

  /** What happened between {@code earlier} and this snapshot. */
  public Transfers minus(Transfers earlier) {
    return new Transfers(
        uploads - earlier.uploads,
        uploadBytes - earlier.uploadBytes,
        downloads - earlier.downloads,
        downloadBytes - earlier.downloadBytes);
  }

  @Override
  public String toString() {
    return uploads + " uploads (" + uploadBytes + " bytes), " + downloads + " downloads ("
        + downloadBytes + " bytes)";
  }
}
