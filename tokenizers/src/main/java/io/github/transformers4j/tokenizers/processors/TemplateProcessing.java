package io.github.transformers4j.tokenizers.processors;

import io.github.transformers4j.tokenizers.Encoding;
import io.github.transformers4j.tokenizers.PostProcessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's template post-processor: {@code "[CLS] $A [SEP]"} for one sequence and {@code
 * "[CLS] $A [SEP] $B:1 [SEP]:1"} for a pair, each item with its type id after a colon. BERT's
 * {@code BertProcessing} and RoBERTa's {@code RobertaProcessing} (CLIP's too) are fixed templates
 * of this kind and are saved under their own type names.
 */
public final class TemplateProcessing implements PostProcessor {
  /** One template item: a sequence ({@code A} or {@code B}) or a special token, with a type id. */
  public record Item(boolean sequence, String id, int typeId) {}

  /** A special token of the template: the ids and tokens it stands for. */
  public record Special(String id, List<Integer> ids, List<String> tokens) {}

  private final List<Item> single;
  private final List<Item> pair;
  private final Map<String, Special> specials;
  private final String jsonType; // TemplateProcessing, BertProcessing or RobertaProcessing
  private final boolean trimOffsets;
  private final boolean addPrefixSpace;

  private TemplateProcessing(
      List<Item> single,
      List<Item> pair,
      Map<String, Special> specials,
      String jsonType,
      boolean trimOffsets,
      boolean addPrefixSpace) {
    this.single = List.copyOf(single);
    this.pair = List.copyOf(pair);
    this.specials = new LinkedHashMap<>(specials);
    this.jsonType = jsonType;
    this.trimOffsets = trimOffsets;
    this.addPrefixSpace = addPrefixSpace;
    for (List<Item> t : List.of(this.single, this.pair)) {
      for (Item it : t) {
        if (!it.sequence() && !specials.containsKey(it.id())) {
          throw new IllegalArgumentException(
              "template names special token '" + it.id() + "' that is not among its special tokens "
                  + specials.keySet());
        }
      }
    }
  }

  /** A template from its items and special tokens. */
  public static TemplateProcessing of(
      List<Item> single, List<Item> pair, Map<String, Special> specials) {
    return new TemplateProcessing(single, pair, specials, "TemplateProcessing", false, false);
  }

  /**
   * A template from strings such as {@code "[CLS] $A [SEP]"} and {@code "[CLS] $A [SEP] $B:1
   * [SEP]:1"}, with the ids of the special tokens it names.
   */
  public static TemplateProcessing parse(String single, String pair, Map<String, Integer> specialIds) {
    Map<String, Special> sp = new LinkedHashMap<>();
    specialIds.forEach((k, v) -> sp.put(k, new Special(k, List.of(v), List.of(k))));
    return of(parseItems(single), pair == null ? List.of() : parseItems(pair), sp);
  }

  /** Parses {@code "[CLS] $A:0 [SEP]"}: {@code $A}, {@code $B} (or {@code $}) and special tokens. */
  public static List<Item> parseItems(String template) {
    List<Item> items = new ArrayList<>();
    for (String part : template.trim().split("\\s+")) {
      String name = part;
      int type = 0;
      int colon = part.lastIndexOf(':');
      if (colon > 0 && part.substring(colon + 1).matches("\\d+")) {
        name = part.substring(0, colon);
        type = Integer.parseInt(part.substring(colon + 1));
      }
      if (name.startsWith("$")) {
        String seq = name.substring(1);
        if (seq.isEmpty() || seq.equals("A")) {
          items.add(new Item(true, "A", type));
        } else if (seq.equals("B")) {
          items.add(new Item(true, "B", type));
        } else if (seq.matches("\\d+")) {
          items.add(new Item(true, "A", Integer.parseInt(seq)));
        } else {
          throw new IllegalArgumentException(
              "template '" + template + "': unknown sequence '" + name + "' (expected $A or $B)");
        }
      } else {
        items.add(new Item(false, name, type));
      }
    }
    return items;
  }

  /** BERT's template: {@code [CLS] $A [SEP]}, pair {@code ... $B:1 [SEP]:1}. */
  public static TemplateProcessing bert(String cls, int clsId, String sep, int sepId) {
    Map<String, Special> sp = new LinkedHashMap<>();
    sp.put(cls, new Special(cls, List.of(clsId), List.of(cls)));
    sp.put(sep, new Special(sep, List.of(sepId), List.of(sep)));
    return new TemplateProcessing(
        List.of(new Item(false, cls, 0), new Item(true, "A", 0), new Item(false, sep, 0)),
        List.of(
            new Item(false, cls, 0), new Item(true, "A", 0), new Item(false, sep, 0),
            new Item(true, "B", 1), new Item(false, sep, 1)),
        sp,
        "BertProcessing",
        false,
        false);
  }

  /** RoBERTa's (and CLIP's) template: {@code <s> $A </s>}, pair {@code <s> $A </s> </s> $B </s>}. */
  public static TemplateProcessing roberta(
      String cls, int clsId, String sep, int sepId, boolean trimOffsets, boolean addPrefixSpace) {
    Map<String, Special> sp = new LinkedHashMap<>();
    sp.put(cls, new Special(cls, List.of(clsId), List.of(cls)));
    sp.put(sep, new Special(sep, List.of(sepId), List.of(sep)));
    return new TemplateProcessing(
        List.of(new Item(false, cls, 0), new Item(true, "A", 0), new Item(false, sep, 0)),
        List.of(
            new Item(false, cls, 0), new Item(true, "A", 0), new Item(false, sep, 0),
            new Item(false, sep, 0), new Item(true, "B", 0), new Item(false, sep, 0)),
        sp,
        "RobertaProcessing",
        trimOffsets,
        addPrefixSpace);
  }

  @Override
  public int addedTokens(boolean isPair) {
    int n = 0;
    for (Item it : isPair ? pair : single) {
      if (!it.sequence()) {
        n += specials.get(it.id()).ids().size();
      }
    }
    return n;
  }

  @Override
  public Encoding process(Encoding first, Encoding second, boolean addSpecialTokens) {
    if (trimOffsets) {
      first = ByteLevelProcessor.trim(first, addPrefixSpace);
      second = second == null ? null : ByteLevelProcessor.trim(second, addPrefixSpace);
    }
    List<Item> template = second == null ? single : pair;
    List<Encoding> parts = new ArrayList<>();
    for (Item it : template) {
      if (it.sequence()) {
        Encoding e = it.id().equals("A") ? first : second;
        if (e != null) {
          parts.add(e.withTypeId(it.typeId()));
        }
      } else if (addSpecialTokens) {
        Special s = specials.get(it.id());
        for (int k = 0; k < s.ids().size(); k++) {
          parts.add(Encoding.special(s.ids().get(k), s.tokens().get(k), it.typeId()));
        }
      }
    }
    return Encoding.concat(parts);
  }

  @Override
  public Map<String, Object> toJson() {
    if (jsonType.equals("BertProcessing") || jsonType.equals("RobertaProcessing")) {
      Special cls = specials.get(single.get(0).id());
      Special sep = specials.get(single.get(2).id());
      Map<String, Object> m =
          Json.type(
              jsonType,
              "sep", List.of(sep.id(), sep.ids().get(0)),
              "cls", List.of(cls.id(), cls.ids().get(0)));
      if (jsonType.equals("RobertaProcessing")) {
        m.put("trim_offsets", trimOffsets);
        m.put("add_prefix_space", addPrefixSpace);
      }
      return m;
    }
    Map<String, Object> sp = new LinkedHashMap<>();
    specials.forEach(
        (k, v) -> {
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("id", v.id());
          o.put("ids", v.ids());
          o.put("tokens", v.tokens());
          sp.put(k, o);
        });
    return Json.type("TemplateProcessing", "single", items(single), "pair", items(pair), "special_tokens", sp);
  }

  private static List<Object> items(List<Item> items) {
    List<Object> out = new ArrayList<>();
    for (Item it : items) {
      Map<String, Object> inner = new LinkedHashMap<>();
      inner.put("id", it.id());
      inner.put("type_id", it.typeId());
      out.add(Map.of(it.sequence() ? "Sequence" : "SpecialToken", inner));
    }
    return out;
  }
}
