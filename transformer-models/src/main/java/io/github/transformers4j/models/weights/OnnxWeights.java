package io.github.transformers4j.models.weights;

import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The initializers of an ONNX model as {@link Weights} under Hugging Face parameter names, so a
 * transformer exported to ONNX (such as all-MiniLM-L6-v2) loads into our models name for name.
 *
 * <p>A small hand-written protobuf reader walks {@code ModelProto → GraphProto} and reads the
 * initializers ({@code TensorProto}: name, dims, data type, {@code raw_data} or the typed {@code
 * *_data} fields) and the nodes (op type, name, inputs, outputs); nothing else of the model is
 * interpreted. PyTorch's exporter gives biases and LayerNorm parameters their HF names but stores
 * each linear weight as an anonymous {@code onnx::MatMul_NNN} initializer in the MatMul layout
 * {@code [in, out]}. Such an initializer, when one {@code MatMul} node alone consumes it as its
 * second input, is renamed after that node ({@code /encoder/layer.0/attention/self/query/MatMul} →
 * {@code encoder.layer.0.attention.self.query.weight}) and transposed to HF's {@code (out, in)}.
 * Every other initializer keeps its name.
 *
 * <p>{@code FLOAT}, {@code FLOAT16} and {@code BFLOAT16} convert exactly to {@code F32}, {@code
 * DOUBLE} rounds, the integer types and {@code BOOL} convert as by a cast; {@code STRING} and
 * complex initializers, which are never weights, are left out. Models larger than 2 GB keep their
 * weights in external files, which this reader does not follow (it says so).
 */
public final class OnnxWeights implements Weights {

  // ONNX TensorProto.DataType values.
  private static final int FLOAT = 1;
  private static final int UINT8 = 2;
  private static final int INT8 = 3;
  private static final int UINT16 = 4;
  private static final int INT16 = 5;
  private static final int INT32 = 6;
  private static final int INT64 = 7;
  private static final int STRING = 8;
  private static final int BOOL = 9;
  private static final int FLOAT16 = 10;
  private static final int DOUBLE = 11;
  private static final int UINT32 = 12;
  private static final int UINT64 = 13;
  private static final int BFLOAT16 = 16;

  private static final Pattern MATMUL_NODE = Pattern.compile("/(.+)/MatMul(_\\d+)?");

  /** A node of the graph: what consumes an initializer tells its role. */
  public record Node(String name, String opType, List<String> inputs, List<String> outputs) {}

  /**
   * One initializer. Its elements are either a byte range of the buffer ({@code raw_data}, read on
   * demand) or already decoded from a typed field ({@code values}).
   */
  private record Init(
      String onnxName,
      int dataType,
      Shape shape,
      int rawStart,
      int rawEnd,
      float[] values,
      boolean transpose) {}

  private final String source;
  private final ByteBuffer buf;
  private final Map<String, Init> byName;
  private final List<Node> nodes;
  private volatile boolean closed;

  private OnnxWeights(String source, ByteBuffer buf, Map<String, Init> byName, List<Node> nodes) {
    this.source = source;
    this.buf = buf;
    this.byName = byName;
    this.nodes = nodes;
  }

  /**
   * Reads an ONNX model file (memory-mapped; the initializers' data is decoded when asked for).
   *
   * @throws IllegalArgumentException naming the file, byte offset and field when the protobuf is
   *     malformed, or the initializer when its data does not match its dims
   */
  public static OnnxWeights open(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "onnx "
                + file
                + ": "
                + size
                + " bytes; models over 2 GB keep their weights in"
                + " external data files, which are not supported");
      }
      // The mapping stays valid after the channel is closed.
      ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      return parse(file.toString(), buf);
    }
  }

  /** Reads an ONNX model from a stream (for example a class-path resource), into memory. */
  public static OnnxWeights read(InputStream in, String sourceName) throws IOException {
    return parse(sourceName, ByteBuffer.wrap(in.readAllBytes()));
  }

  /** Reads an ONNX model held in {@code bytes} (not copied). */
  public static OnnxWeights read(byte[] bytes, String sourceName) {
    return parse(sourceName, ByteBuffer.wrap(bytes));
  }

  /** The graph's nodes in file order. */
  public List<Node> nodes() {
    return nodes;
  }

  /** The initializer name in the ONNX file behind weight {@code name}. */
  public String onnxName(String name) {
    return init(name).onnxName;
  }

  /** Initializer names as exposed (HF names where derived), in file order. */
  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(byName.keySet());
  }

  /** The shape as exposed: {@code (out, in)} for a renamed MatMul weight. */
  @Override
  public Shape shape(String name) {
    return init(name).shape;
  }

  @Override
  public DType storedAs(String name) {
    return switch (init(name).dataType) {
      case FLOAT, DOUBLE -> DType.F32;
      case FLOAT16 -> DType.F16;
      case BFLOAT16 -> DType.BF16;
      default -> DType.I32;
    };
  }

  @Override
  public float[] floats(String name) {
    Init t = init(name);
    float[] v = t.values != null ? t.values.clone() : decodeRaw(t);
    if (!t.transpose) {
      return v;
    }
    // Stored [in, out] (MatMul's B); HF's Linear weight is (out, in) = the transpose.
    int out = t.shape.dim(0);
    int in = t.shape.dim(1);
    float[] r = new float[v.length];
    for (int i = 0; i < in; i++) {
      for (int o = 0; o < out; o++) {
        r[o * in + i] = v[i * out + o];
      }
    }
    return r;
  }

  /**
   * Marks these weights closed; reading afterwards fails. The file's mapping is released when it
   * is garbage-collected (Java 17 has no public unmap), its channel was closed at open.
   */
  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "OnnxWeights[" + source + ", " + byName.size() + " initializers]";
  }

  private Init init(String name) {
    if (closed) {
      throw new IllegalStateException("onnx " + source + " is closed");
    }
    Init t = byName.get(name);
    if (t == null) {
      throw new IllegalArgumentException(
          "onnx "
              + source
              + ": no initializer '"
              + cut(name)
              + "' (it has "
              + byName.size()
              + ", such as "
              + byName.keySet().stream().limit(3).map(OnnxWeights::cut).toList()
              + ")");
    }
    return t;
  }

  private float[] decodeRaw(Init t) {
    int n = t.shape.size();
    float[] out = new float[n];
    ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = t.rawStart;
    switch (t.dataType) {
      case FLOAT -> b.position(p).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      case FLOAT16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = DType.f16ToFloat(b.getShort(p + 2 * i));
        }
      }
      case BFLOAT16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = DType.bf16ToFloat(b.getShort(p + 2 * i));
        }
      }
      case DOUBLE -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) b.getDouble(p + 8 * i);
        }
      }
      case INT64, UINT64 -> {
        for (int i = 0; i < n; i++) {
          long x = b.getLong(p + 8 * i);
          out[i] = t.dataType == UINT64 && x < 0 ? (float) (x >>> 1) * 2f : x;
        }
      }
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getInt(p + 4 * i);
        }
      }
      case UINT32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getInt(p + 4 * i) & 0xffffffffL;
        }
      }
      case INT16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getShort(p + 2 * i);
        }
      }
      case UINT16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getShort(p + 2 * i) & 0xffff;
        }
      }
      case INT8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.get(p + i);
        }
      }
      case UINT8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.get(p + i) & 0xff;
        }
      }
      case BOOL -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.get(p + i) != 0 ? 1 : 0;
        }
      }
      default -> throw new IllegalStateException("data type " + t.dataType); // parse rejected it
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Parsing

  /**
   * {@code o} as text of at most 60 characters: names and dims come from the file, and a message
   * must stay one short line (at most 300 characters) whatever the file holds.
   */
  static String cut(Object o) {
    String s = String.valueOf(o);
    return s.length() <= 60 ? s : s.substring(0, 59) + "\u2026";
  }

  /** Element size in bytes of a numeric data type, or 0 when it is not read. */
  private static int elementSize(int dataType) {
    return switch (dataType) {
      case FLOAT, INT32, UINT32 -> 4;
      case DOUBLE, INT64, UINT64 -> 8;
      case FLOAT16, BFLOAT16, INT16, UINT16 -> 2;
      case INT8, UINT8, BOOL -> 1;
      default -> 0;
    };
  }

  private static String typeName(int dataType) {
    String[] names = {
      "UNDEFINED",
      "FLOAT",
      "UINT8",
      "INT8",
      "UINT16",
      "INT16",
      "INT32",
      "INT64",
      "STRING",
      "BOOL",
      "FLOAT16",
      "DOUBLE",
      "UINT32",
      "UINT64",
      "COMPLEX64",
      "COMPLEX128",
      "BFLOAT16"
    };
    return dataType >= 0 && dataType < names.length ? names[dataType] : "type " + dataType;
  }

  private static OnnxWeights parse(String source, ByteBuffer buffer) {
    ByteBuffer buf = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    ProtoReader model = new ProtoReader(buf, source, "ModelProto", 0, buf.limit());
    List<Init> inits = new ArrayList<>();
    List<Node> nodes = new ArrayList<>();
    boolean graphSeen = false;
    while (model.hasNext()) {
      if (model.next() == 7) {
        graphSeen = true;
        readGraph(model.message("ModelProto.graph"), source, inits, nodes);
      } else {
        model.skip();
      }
    }
    if (!graphSeen) {
      throw new IllegalArgumentException("onnx " + source + ": no graph (ModelProto field 7)");
    }
    return new OnnxWeights(source, buf, rename(source, inits, nodes), List.copyOf(nodes));
  }

  private static void readGraph(
      ProtoReader graph, String source, List<Init> inits, List<Node> nodes) {
    while (graph.hasNext()) {
      switch (graph.next()) {
        case 1 -> nodes.add(readNode(graph.message("GraphProto.node")));
        case 5 -> {
          Init t = readTensor(graph.message("GraphProto.initializer"), source);
          if (t != null) {
            inits.add(t);
          }
        }
        default -> graph.skip();
      }
    }
  }

  private static Node readNode(ProtoReader node) {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    String name = "";
    String opType = "";
    while (node.hasNext()) {
      switch (node.next()) {
        case 1 -> inputs.add(node.string("NodeProto.input"));
        case 2 -> outputs.add(node.string("NodeProto.output"));
        case 3 -> name = node.string("NodeProto.name");
        case 4 -> opType = node.string("NodeProto.op_type");
        default -> node.skip();
      }
    }
    return new Node(name, opType, List.copyOf(inputs), List.copyOf(outputs));
  }

  /** Reads a TensorProto; {@code null} for one that holds no numbers (strings, complex). */
  private static Init readTensor(ProtoReader t, String source) {
    int start = t.position();
    String name = null;
    int dataType = 0;
    List<Long> dims = new ArrayList<>();
    int rawStart = -1;
    int rawEnd = -1;
    int external = 0;
    NumberList typed = new NumberList();
    int typedField = 0;
    while (t.hasNext()) {
      int field = t.next();
      switch (field) {
        case 1 -> readInts(t, "TensorProto.dims", dims);
        case 2 -> dataType = (int) t.varintField("TensorProto.data_type");
        case 8 -> name = t.string("TensorProto.name");
        case 9 -> {
          int[] r = t.lengthDelimited("TensorProto.raw_data");
          rawStart = r[0];
          rawEnd = r[1];
        }
        case 14 -> external = (int) t.varintField("TensorProto.data_location");
        case 4, 5, 7, 10, 11 -> {
          if (typedField != 0 && typedField != field) {
            throw t.error(
                t.position(), "TensorProto has data in fields " + typedField + " and " + field);
          }
          typedField = field;
          readTyped(t, field, typed);
        }
        default -> t.skip();
      }
    }
    String what =
        "initializer '" + (name == null ? "?" : cut(name)) + "' (TensorProto at byte " + start + ")";
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("onnx " + source + ": " + what + " has no name");
    }
    if (external == 1) {
      throw new IllegalArgumentException(
          "onnx "
              + source
              + ": "
              + what
              + " keeps its data in an external file, which is not supported");
    }
    int size = elementSize(dataType);
    if (size == 0) {
      if (dataType == STRING || dataType == 14 || dataType == 15) {
        return null;
      }
      throw new IllegalArgumentException(
          "onnx " + source + ": " + what + " has unsupported data type " + typeName(dataType));
    }
    int[] intDims = new int[dims.size()];
    long elements = 1;
    for (int i = 0; i < intDims.length; i++) {
      long d = dims.get(i);
      if (d < 0 || d > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "onnx " + source + ": " + what + " has dimension " + i + " = " + d + " in " + cut(dims));
      }
      intDims[i] = (int) d;
      elements *= d;
      if (elements > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "onnx "
                + source
                + ": "
                + what
                + " dims "
                + cut(dims)
                + " exceed "
                + Integer.MAX_VALUE
                + " elements");
      }
    }
    Shape shape = Shape.of(intDims);
    if (rawStart >= 0) {
      if (typedField != 0) {
        throw new IllegalArgumentException(
            "onnx " + source + ": " + what + " has both raw_data and field " + typedField);
      }
      long bytes = rawEnd - rawStart;
      if (bytes != elements * size) {
        throw new IllegalArgumentException(
            "onnx "
                + source
                + ": "
                + what
                + " of "
                + typeName(dataType)
                + " dims "
                + cut(dims)
                + " needs "
                + elements * size
                + " bytes of raw_data but has "
                + bytes);
      }
      return new Init(name, dataType, shape, rawStart, rawEnd, null, false);
    }
    int expectedField =
        switch (dataType) {
          case FLOAT -> 4;
          case DOUBLE -> 10;
          case INT64 -> 7;
          case UINT32, UINT64 -> 11;
          default -> 5; // int32_data also holds the 8/16-bit integers, bool and the 16-bit floats
        };
    if (typedField != 0 && typedField != expectedField) {
      throw new IllegalArgumentException(
          "onnx "
              + source
              + ": "
              + what
              + " of "
              + typeName(dataType)
              + " has its data in field "
              + typedField
              + ", expected field "
              + expectedField);
    }
    if (typed.size != elements) {
      throw new IllegalArgumentException(
          "onnx "
              + source
              + ": "
              + what
              + " dims "
              + cut(dims)
              + " need "
              + elements
              + " elements but it holds "
              + typed.size);
    }
    float[] values = new float[typed.size];
    for (int i = 0; i < values.length; i++) {
      double x = typed.values[i];
      values[i] =
          switch (dataType) {
            case FLOAT16 -> DType.f16ToFloat((short) (long) x);
            case BFLOAT16 -> DType.bf16ToFloat((short) (long) x);
            default -> (float) x;
          };
    }
    return new Init(name, dataType, shape, -1, -1, values, false);
  }

  /** A growable array of decoded typed values (held as doubles: exact for every int32/float). */
  private static final class NumberList {
    double[] values = new double[16];
    int size;

    void add(double v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }
  }

  /** Reads a repeated int64 field, packed or not. */
  private static void readInts(ProtoReader t, String name, List<Long> out) {
    if (t.wire() == ProtoReader.LEN) {
      ProtoReader packed = t.message(name);
      while (packed.hasNext()) {
        out.add(packed.varint(name));
      }
    } else {
      out.add(t.varintField(name));
    }
  }

  private static void readTyped(ProtoReader t, int field, NumberList out) {
    String name =
        switch (field) {
          case 4 -> "TensorProto.float_data";
          case 5 -> "TensorProto.int32_data";
          case 7 -> "TensorProto.int64_data";
          case 10 -> "TensorProto.double_data";
          default -> "TensorProto.uint64_data";
        };
    boolean fixed = field == 4 || field == 10;
    if (t.wire() == ProtoReader.LEN) {
      ProtoReader p = t.message(name);
      while (p.hasNext()) {
        out.add(readOne(p, field, name));
      }
    } else {
      int expected =
          field == 4 ? ProtoReader.I32 : field == 10 ? ProtoReader.I64 : ProtoReader.VARINT;
      if (t.wire() != expected) {
        throw t.error(
            t.position(),
            name
                + " has wire type "
                + t.wire()
                + ", expected "
                + expected
                + (fixed ? "" : " (varint)"));
      }
      out.add(readOne(t, field, name));
    }
  }

  private static double readOne(ProtoReader p, int field, String name) {
    return switch (field) {
      case 4 -> Float.intBitsToFloat(p.fixed32(name));
      case 10 -> Double.longBitsToDouble(p.fixed64(name));
      case 5 -> (int) p.varint(name); // int32 varints are sign-extended to 64 bits
      case 7 -> p.varint(name);
      default -> {
        long x = p.varint(name);
        yield x < 0 ? (x >>> 1) * 2.0 : x;
      }
    };
  }

  /** Gives anonymous MatMul weights their HF names (see the class javadoc). */
  private static Map<String, Init> rename(String source, List<Init> inits, List<Node> nodes) {
    Map<String, List<Node>> consumers = new HashMap<>();
    for (Node n : nodes) {
      for (String in : n.inputs) {
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
      }
    }
    Map<String, Init> byOnnxName = new LinkedHashMap<>();
    for (Init t : inits) {
      if (byOnnxName.put(t.onnxName, t) != null) {
        throw new IllegalArgumentException(
            "onnx " + source + ": initializer '" + cut(t.onnxName) + "' appears twice");
      }
    }
    Map<String, Init> out = new LinkedHashMap<>();
    for (Init t : inits) {
      String hfName = t.onnxName;
      Init exposed = t;
      List<Node> users = consumers.getOrDefault(t.onnxName, List.of());
      if (t.onnxName.startsWith("onnx::") && t.shape.rank() == 2 && users.size() == 1) {
        Node user = users.get(0);
        Matcher m = MATMUL_NODE.matcher(user.name);
        if (user.opType.equals("MatMul")
            && user.inputs.size() == 2
            && user.inputs.get(1).equals(t.onnxName)
            && m.matches()) {
          String derived = m.group(1).replace('/', '.') + ".weight";
          if (!byOnnxName.containsKey(derived) && !out.containsKey(derived)) {
            hfName = derived;
            Shape transposed = Shape.of(t.shape.dim(1), t.shape.dim(0));
            exposed =
                new Init(t.onnxName, t.dataType, transposed, t.rawStart, t.rawEnd, t.values, true);
          }
        }
      }
      if (out.put(hfName, exposed) != null) {
        throw new IllegalArgumentException(
            "onnx " + source + ": two initializers are both named '" + cut(hfName) + "'");
      }
    }
    return Collections.unmodifiableMap(out);
  }
}
