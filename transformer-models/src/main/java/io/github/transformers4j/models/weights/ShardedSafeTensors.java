package io.github.transformers4j.models.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.io.ParserMessages;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint split over several safetensors files, as Hugging Face saves large models: {@code
 * model.safetensors.index.json} maps every tensor name to the shard that holds it ({@code
 * "weight_map"}). Each shard is opened (and validated) as a {@link SafeTensors}; the index must
 * agree with the shards: every listed tensor present in its shard, no shard tensor unlisted.
 */
public final class ShardedSafeTensors implements Weights {
  private final Path index;
  private final Map<String, SafeTensors> byName;
  private final List<SafeTensors> shards;

  private ShardedSafeTensors(Path index, Map<String, SafeTensors> byName, List<SafeTensors> shards) {
    this.index = index;
    this.byName = byName;
    this.shards = shards;
  }

  /** {@code s} in quotes, cut to 80 characters: names come from the file, of any length. */
  private static String quote(String s) {
    return "'" + (s.length() <= 80 ? s : s.substring(0, 79) + "\u2026") + "'";
  }

  /**
   * Opens the shards named by {@code index} (a {@code model.safetensors.index.json}), which lie in
   * the same folder.
   *
   * @throws IOException naming the index or the shard and what is wrong
   */
  public static ShardedSafeTensors open(Path index) throws IOException {
    JsonObject weightMap;
    try {
      JsonElement root =
          JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8));
      JsonElement wm = root.isJsonObject() ? root.getAsJsonObject().get("weight_map") : null;
      if (wm == null || !wm.isJsonObject()) {
        throw new IOException(index + ": no \"weight_map\" object (expected a safetensors index)");
      }
      weightMap = wm.getAsJsonObject();
    } catch (NoSuchFileException e) {
      throw new IOException(index + ": no such file", e);
    } catch (CharacterCodingException e) {
      throw new IOException(index + ": not UTF-8 text (expected a safetensors index, JSON)", e);
    } catch (JsonParseException | IllegalStateException e) {
      throw new IOException(index + ": not valid JSON (" + ParserMessages.problem(e, 150) + ")", e);
    }
    Path dir = index.toAbsolutePath().getParent();
    Map<String, SafeTensors> files = new LinkedHashMap<>();
    Map<String, SafeTensors> byName = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, JsonElement> e : weightMap.entrySet()) {
        JsonElement f = e.getValue();
        if (!f.isJsonPrimitive() || !f.getAsJsonPrimitive().isString()) {
          throw new IOException(
              index + ": weight_map entry " + quote(e.getKey()) + " is not a file name");
        }
        String file = f.getAsString();
        Path shardPath;
        try {
          shardPath = dir.resolve(file).normalize();
        } catch (InvalidPathException bad) { // a NUL character
          shardPath = null;
        }
        if (shardPath == null
            || file.contains("/")
            || file.contains("\\")
            || !dir.equals(shardPath.getParent())) {
          throw new IOException(
              index + ": shard " + quote(file) + " of tensor " + quote(e.getKey()) + " is not a file name in "
                  + dir);
        }
        SafeTensors shard = files.get(file);
        if (shard == null) {
          if (!Files.isRegularFile(shardPath)) {
            // Said here, with the name cut: the OS's message would quote it whole.
            throw new IOException(
                index + ": shard " + quote(file) + " of tensor " + quote(e.getKey())
                    + " is not a file in the index's folder");
          }
          shard = SafeTensors.open(shardPath);
          files.put(file, shard);
        }
        if (!shard.contains(e.getKey())) {
          throw new IOException(
              index + ": tensor " + quote(e.getKey()) + " is listed in shard " + quote(file)
                  + " but that file has no such tensor");
        }
        byName.put(e.getKey(), shard);
      }
      for (Map.Entry<String, SafeTensors> f : files.entrySet()) {
        for (String name : f.getValue().names()) {
          if (!byName.containsKey(name)) {
            throw new IOException(
                index + ": shard " + quote(f.getKey()) + " holds tensor " + quote(name)
                    + ", which the weight_map does not list");
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      files.values().forEach(SafeTensors::close);
      throw e;
    }
    return new ShardedSafeTensors(
        index, Collections.unmodifiableMap(byName), List.copyOf(new ArrayList<>(files.values())));
  }

  /** The index file. */
  public Path index() {
    return index;
  }

  /** The number of shard files. */
  public int shardCount() {
    return shards.size();
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(byName.keySet()));
  }

  @Override
  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  private SafeTensors shard(String name) {
    SafeTensors s = byName.get(name);
    if (s == null) {
      throw new IllegalArgumentException(index + ": no tensor '" + name + "'");
    }
    return s;
  }

  @Override
  public Shape shape(String name) {
    return shard(name).shape(name);
  }

  @Override
  public DType storedAs(String name) {
    return shard(name).storedAs(name);
  }

  @Override
  public float[] floats(String name) {
    return shard(name).floats(name);
  }

  @Override
  public void close() {
    shards.forEach(SafeTensors::close);
  }

  @Override
  public String toString() {
    return "ShardedSafeTensors[" + index + ", " + shards.size() + " shards]";
  }
}
