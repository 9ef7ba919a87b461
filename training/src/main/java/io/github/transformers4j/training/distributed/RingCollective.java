package io.github.transformers4j.training.distributed;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Collective} over TCP: the replicas form a ring, each sending to the next rank and
 * receiving from the previous one.
 *
 * <p>All-reduce is the bandwidth-optimal ring: the array is cut into {@code N} segments; in {@code
 * N-1} reduce-scatter steps each replica sends one segment and adds the one it receives, after
 * which replica {@code r} holds the complete sum of segment {@code (r+1) mod N}; in {@code N-1}
 * all-gather steps the complete segments travel round the ring and overwrite. Each replica sends
 * and receives {@code 2(N-1)/N} times the array, whatever {@code N}. The order in which a segment's
 * terms are added is fixed by the algorithm, and each complete segment is copied, not re-added, so
 * every replica ends with the same bits.
 *
 * <p>Set-up is two-phase because addresses come from outside: {@link Endpoint#open} binds a
 * listening socket, its {@link Endpoint#address} is exchanged (Spark's {@code
 * BarrierTaskContext.allGather}), then {@link Endpoint#join} connects the ring.
 *
 * <p>Failures: every read waits at most the time-out, a send that cannot complete within it is
 * abandoned, and a closed connection is noticed at once; each fails with a {@link
 * CollectiveException} naming this rank, the peer and its address, and closes the ring so that the
 * other replicas fail in turn instead of waiting.
 */
public final class RingCollective implements Collective {
  private static final int MAGIC = 0x74346a52; // "t4jR"
  /** Floats per network write: bounds the conversion buffers, keeps the pipe full. */
  private static final int PIECE = 1 << 16;
  /** Socket waits are cut into slices this long to notice an interrupt (Spark's task kill). */
  private static final int SLICE_MS = 200;

  private final int rank;
  private final int size;
  private final List<String> addresses;
  private final Duration timeout;
  private final Socket toNext;
  private final Socket fromPrev;
  private final DataOutputStream out;
  private final DataInputStream in;
  private final ExecutorService sender;
  private final byte[] sendBytes = new byte[PIECE * 4];
  private final byte[] recvBytes = new byte[PIECE * 4];
  private final float[] recvFloats = new float[PIECE];
  private long op;
  private volatile String broken;

  /** A bound listening socket whose address the other replicas need before {@link #join}. */
  public static final class Endpoint implements AutoCloseable {
    private final ServerSocket server;
    private final String host;

    private Endpoint(ServerSocket server, String host) {
      this.server = server;
      this.host = host;
    }

    /**
     * Listens on a free port of {@code host} (a name or address this machine answers on, which the
     * other replicas can reach).
     *
     * @throws CollectiveException when the host is unknown or no port can be bound
     */
    public static Endpoint open(String host) {
      try {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 8);
        return new Endpoint(s, host);
      } catch (IOException e) {
        throw new CollectiveException(
            "ring: cannot listen on host '" + host + "': " + e.getMessage(), e);
      }
    }

    /** {@code host:port}, what the other replicas connect to. */
    public String address() {
      return host + ":" + server.getLocalPort();
    }

    /**
     * Connects the ring: {@code addresses} holds every replica's {@link #address}, by rank, and
     * this endpoint's at {@code rank}. Waits up to {@code timeout} for the neighbours.
     *
     * @throws IllegalArgumentException when the rank or the addresses do not fit together
     * @throws CollectiveException when a neighbour cannot be reached in time or answers wrongly
     */
    public RingCollective join(int rank, List<String> addresses, Duration timeout) {
      int n = addresses.size();
      if (rank < 0 || rank >= n) {
        throw new IllegalArgumentException(
            "ring: rank " + rank + " is outside 0.." + (n - 1) + " (" + n + " addresses)");
      }
      if (!addresses.get(rank).equals(address())) {
        throw new IllegalArgumentException(
            "ring: address of rank "
                + rank
                + " is "
                + addresses.get(rank)
                + " but this endpoint listens on "
                + address());
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("ring: time-out must be positive, got " + timeout);
      }
      try {
        if (n == 1) {
          return new RingCollective(rank, 1, addresses, timeout, null, null);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = (rank + 1) % n;
        int prev = (rank + n - 1) % n;
        Socket toNext = connect(addresses.get(next), next, rank, deadline);
        Socket fromPrev;
        try {
          DataOutputStream hello = new DataOutputStream(toNext.getOutputStream());
          hello.writeInt(MAGIC);
          hello.writeInt(rank);
          hello.writeInt(n);
          hello.flush();
          fromPrev = null;
          while (fromPrev == null) {
            // Short slices, so that a task killed by interruption stops waiting at once.
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (Thread.currentThread().isInterrupted()) {
              throw new CollectiveException(
                  "ring: rank " + rank + " was interrupted while waiting for rank " + prev);
            }
            if (left <= 0) {
              break;
            }
            server.setSoTimeout((int) Math.min(SLICE_MS, Math.max(1, left)));
            try {
              fromPrev = server.accept();
            } catch (SocketTimeoutException e) {
              // Look at the clock and the interrupt flag again.
            }
          }
          if (fromPrev == null) {
            throw new CollectiveException(
                "ring: rank "
                    + rank
                    + " waited "
                    + timeout.toSeconds()
                    + " s for rank "
                    + prev
                    + " ("
                    + addresses.get(prev)
                    + ") to connect; it did not start or cannot reach "
                    + address());
          }
          fromPrev.setSoTimeout(SLICE_MS);
          DataInputStream h = new DataInputStream(fromPrev.getInputStream());
          int magic = h.readInt();
          int who = h.readInt();
          int m = h.readInt();
          if (magic != MAGIC || who != prev || m != n) {
            fromPrev.close();
            throw new CollectiveException(
                "ring: rank "
                    + rank
                    + " expected rank "
                    + prev
                    + " of "
                    + n
                    + " to connect, got "
                    + (magic != MAGIC ? "something that is not a ring peer" : "rank " + who)
                    + " of "
                    + m);
          }
        } catch (IOException | RuntimeException e) {
          toNext.close();
          throw e;
        }
        return new RingCollective(rank, n, addresses, timeout, toNext, fromPrev);
      } catch (IOException e) {
        throw new CollectiveException(
            "ring: rank " + rank + " could not connect: " + e.getMessage(), e);
      } finally {
        close();
      }
    }

    private static Socket connect(String address, int peer, int rank, long deadline)
        throws IOException {
      int colon = address.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "ring: address of rank " + peer + " is '" + address + "', expected host:port");
      }
      String host = address.substring(0, colon);
      int port = Integer.parseInt(address.substring(colon + 1));
      IOException last = null;
      while (System.nanoTime() < deadline) {
        Socket s = new Socket();
        try {
          int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
          s.connect(new InetSocketAddress(host, port), left);
          s.setTcpNoDelay(true);
          return s;
        } catch (IOException e) {
          s.close();
          last = e;
          try {
            Thread.sleep(50);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("ring: rank " + rank + " interrupted while connecting");
          }
        }
      }
      throw new CollectiveException(
          "ring: rank "
              + rank
              + " cannot connect to rank "
              + peer
              + " at "
              + address
              + (last == null ? "" : ": " + last.getMessage()));
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException e) {
        // Nothing listens any more either way.
      }
    }
  }

  private RingCollective(
      int rank, int size, List<String> addresses, Duration timeout, Socket toNext, Socket fromPrev)
      throws IOException {
    this.rank = rank;
    this.size = size;
    this.addresses = List.copyOf(addresses);
    this.timeout = timeout;
    this.toNext = toNext;
    this.fromPrev = fromPrev;
    if (size > 1) {
      this.out = new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 16));
      this.in =
          new DataInputStream(
              new BufferedInputStream(
                  new PatientInput(fromPrev.getInputStream(), timeout.toNanos()), 1 << 16));
      this.sender =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "t4j-ring-send-" + rank);
                t.setDaemon(true);
                return t;
              });
    } else {
      this.out = null;
      this.in = null;
      this.sender = null;
    }
  }

  /**
   * Reads that wait up to the time-out in slices of {@link #SLICE_MS}, failing early when the
   * thread is interrupted: a blocking socket read itself ignores interrupts.
   */
  private static final class PatientInput extends java.io.FilterInputStream {
    private final long timeoutNanos;

    PatientInput(java.io.InputStream in, long timeoutNanos) {
      super(in);
      this.timeoutNanos = timeoutNanos;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      long start = System.nanoTime();
      while (true) {
        try {
          return in.read(b, off, len);
        } catch (SocketTimeoutException e) {
          if (Thread.currentThread().isInterrupted()) {
            throw new java.io.InterruptedIOException("interrupted while waiting for data");
          }
          if (System.nanoTime() - start >= timeoutNanos) {
            throw e;
          }
        }
      }
    }
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  private int next() {
    return (rank + 1) % size;
  }

  private int prev() {
    return (rank + size - 1) % size;
  }

  /** Start of segment {@code i} of {@code n} over {@code len} elements. */
  static int bound(int len, int i, int n) {
    return (int) ((long) len * i / n);
  }

  @Override
  public void allReduceSum(float[] data) {
    check();
    op++;
    if (size == 1) {
      return;
    }
    int n = size;
    int len = data.length;
    try {
      for (int s = 0; s < n - 1; s++) {
        int send = Math.floorMod(rank - s, n);
        int recv = Math.floorMod(rank - s - 1, n);
        exchange(
            data,
            bound(len, send, n),
            bound(len, send + 1, n),
            bound(len, recv, n),
            bound(len, recv + 1, n),
            true,
            s);
      }
      for (int s = 0; s < n - 1; s++) {
        int send = Math.floorMod(rank + 1 - s, n);
        int recv = Math.floorMod(rank - s, n);
        exchange(
            data,
            bound(len, send, n),
            bound(len, send + 1, n),
            bound(len, recv, n),
            bound(len, recv + 1, n),
            false,
            n - 1 + s);
      }
    } catch (IOException | RuntimeException e) {
      throw fail("all-reduce of " + len + " floats", e);
    }
  }

  /**
   * Sends {@code data[sendFrom, sendTo)} to the next rank while receiving {@code data[recvFrom,
   * recvTo)} from the previous one, adding it when {@code add}, else overwriting.
   */
  private void exchange(
      float[] data, int sendFrom, int sendTo, int recvFrom, int recvTo, boolean add, int step)
      throws IOException {
    long tag = op << 16 | step;
    Future<?> sent =
        sender.submit(
            () -> {
              writeFloats(tag, data, sendFrom, sendTo - sendFrom);
              return null;
            });
    readFloats(tag, data, recvFrom, recvTo - recvFrom, add);
    await(sent);
  }

  private void writeFloats(long tag, float[] data, int from, int count) throws IOException {
    out.writeLong(tag);
    out.writeInt(count);
    ByteBuffer buf = ByteBuffer.wrap(sendBytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int done = 0; done < count; ) {
      int k = Math.min(PIECE, count - done);
      buf.clear();
      buf.asFloatBuffer().put(data, from + done, k);
      out.write(sendBytes, 0, k * 4);
      done += k;
    }
    out.flush();
  }

  private void readFloats(long tag, float[] data, int from, int count, boolean add)
      throws IOException {
    header(tag, count);
    ByteBuffer buf = ByteBuffer.wrap(recvBytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int done = 0; done < count; ) {
      int k = Math.min(PIECE, count - done);
      in.readFully(recvBytes, 0, k * 4);
      buf.clear();
      if (add) {
        buf.asFloatBuffer().get(recvFloats, 0, k);
        int base = from + done;
        for (int i = 0; i < k; i++) {
          data[base + i] += recvFloats[i];
        }
      } else {
        buf.asFloatBuffer().get(data, from + done, k);
      }
      done += k;
    }
  }

  private void header(long tag, int count) throws IOException {
    long got = in.readLong();
    int n = in.readInt();
    if (got != tag || n != count) {
      throw new CollectiveException(
          "replicas out of step: rank "
              + rank
              + " expected operation "
              + (tag >>> 16)
              + " step "
              + (tag & 0xffff)
              + " with "
              + count
              + " values from rank "
              + prev()
              + ", got operation "
              + (got >>> 16)
              + " step "
              + (got & 0xffff)
              + " with "
              + n
              + " (every replica must make the same calls with arrays of the same length)");
    }
  }

  private void await(Future<?> sent) throws IOException {
    try {
      sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      sent.cancel(true);
      throw new SocketTimeoutException(
          "rank " + next() + " did not take the data within " + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw new IOException("sending to rank " + next() + ": " + io.getMessage(), io);
      }
      throw new IOException("sending to rank " + next() + ": " + c, c);
    }
  }

  @Override
  public byte[][] allGather(byte[] mine) {
    check();
    op++;
    byte[][] all = new byte[size][];
    all[rank] = mine.clone();
    try {
      for (int s = 0; s < size - 1; s++) {
        int send = Math.floorMod(rank - s, size);
        int recv = Math.floorMod(rank - s - 1, size);
        long tag = op << 16 | s;
        byte[] payload = all[send];
        Future<?> sent =
            sender.submit(
                () -> {
                  out.writeLong(tag);
                  out.writeInt(payload.length);
                  out.write(payload);
                  out.flush();
                  return null;
                });
        long got = in.readLong();
        int n = in.readInt();
        if (got != tag || n < 0) {
          throw new CollectiveException(
              "replicas out of step: rank "
                  + rank
                  + " expected gather operation "
                  + op
                  + " from rank "
                  + prev()
                  + ", got operation "
                  + (got >>> 16));
        }
        all[recv] = new byte[n];
        in.readFully(all[recv]);
        await(sent);
      }
    } catch (IOException | RuntimeException e) {
      throw fail("all-gather", e);
    }
    return all;
  }

  @Override
  public void broadcast(float[] data, int root) {
    if (root < 0 || root >= size) {
      throw new IllegalArgumentException(
          "broadcast: root " + root + " is outside 0.." + (size - 1));
    }
    check();
    op++;
    if (size == 1) {
      return;
    }
    // A pipeline along the ring: each piece goes on as soon as it arrives. The rank before the root
    // only receives, so no cycle of blocked writers can form.
    boolean forward = next() != root;
    long tag = op << 16;
    try {
      for (int from = 0, piece = 0; from < data.length || piece == 0; from += PIECE, piece++) {
        int k = Math.min(PIECE, data.length - from);
        if (rank != root) {
          readFloats(tag | piece, data, from, k, false);
        }
        if (rank == root || forward) {
          writeFloats(tag | piece, data, from, k);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw fail("broadcast from rank " + root, e);
    }
  }

  private void check() {
    String b = broken;
    if (b != null) {
      throw new CollectiveException(
          "ring: rank " + rank + " is closed after an earlier failure: " + b);
    }
  }

  private CollectiveException fail(String what, Exception e) {
    String why;
    if (e instanceof CollectiveException ce) {
      why = ce.getMessage();
    } else if (e instanceof java.io.InterruptedIOException && !(e instanceof SocketTimeoutException)
        || Thread.currentThread().isInterrupted()) {
      why = "interrupted (the task was cancelled): " + e.getMessage();
    } else if (e instanceof SocketTimeoutException) {
      why =
          "rank "
              + prev()
              + " ("
              + addresses.get(prev())
              + ") sent nothing for "
              + timeout.toSeconds()
              + " s: it is stuck or dead ("
              + e.getMessage()
              + ")";
    } else if (e instanceof EOFException) {
      why =
          "rank " + prev() + " (" + addresses.get(prev()) + ") closed the connection: it failed";
    } else {
      why = "connection to a neighbour lost: " + e.getMessage();
    }
    String msg = "ring: " + what + " failed on rank " + rank + " of " + size + ": " + why;
    broken = msg;
    close();
    return new CollectiveException(msg, e);
  }

  @Override
  public void close() {
    if (size == 1) {
      return;
    }
    if (broken == null) {
      broken = "closed";
    }
    try {
      toNext.close();
    } catch (IOException e) {
      // Closing is best effort: the peer sees the connection end either way.
    }
    try {
      fromPrev.close();
    } catch (IOException e) {
      // As above.
    }
    sender.shutdownNow();
  }
}
