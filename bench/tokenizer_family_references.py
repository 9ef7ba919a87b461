"""Reference ids for the RoBERTa/BART and T5/mT5/Pegasus tokenizers, made with Hugging Face.

Writes testdata/tokenizers/{roberta,t5,pegasus}/: the folders' small config files, Hugging Face's own
saved tokenizer.json where it is small, and expected.json (per case: ids, offsets in code points,
word ids, special-tokens mask), computed with transformers 5.18 / tokenizers 0.23 offline.

RoBERTa/BART use GPT-2's vocabulary (testdata/tokenizers/gpt2/encoder.json, vocab.bpe) laid out as
RoBERTa's vocab.json is: <s>=0 <pad>=1 </s>=2 <unk>=3, GPT-2's tokens shifted by 4, <mask> last.
The Java tests build the same vocab.json the same way (see roberta/README.md). A smaller RoBERTa
(the first 2,000 merges) is saved by Hugging Face itself, tokenizer.json included.

T5, mT5 and Pegasus use testdata/tokenizers/t5/spiece.model, which this script derives from
SentencePiece's test model (testdata/tokenizers/sentencepiece/test_model.model) by giving it the
special pieces of T5's and Pegasus's real spiece.model: <pad>=0, </s>=1, <unk>=2 (the test model
has <unk>=0, <s>=1, </s>=2; Hugging Face assumes T5's layout: its T5 tokenizer hard-codes unknown
id 2, its Pegasus converter drops pieces 0 and 1). Every other piece keeps its id and score.
Hugging Face reads the model with the sentencepiece and protobuf packages; the reference venv lacks
protobuf, so run as:

  ~/.venv-ref/bin/pip install --target /tmp/pylib protobuf
  PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python PYTHONPATH=/tmp/pylib \
      ~/.venv-ref/bin/python bench/tokenizer_family_references.py

Not run in CI; the tests read only its outputs.
"""

import json
import os
import shutil
import sys
import tempfile

from transformers import AutoTokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TD = os.path.join(ROOT, "testdata", "tokenizers")

TEXTS = [
    "Hello world",
    "The capital of France is <mask>.",
    "Hello <mask>!",
    "Hello<mask> there",
    "  leading and  double  spaces ",
    "héllo wörld 日本語 🙂 emoji",
    "tabs\tand\nnewlines\r\n here",
    "The <extra_id_0> walks in <extra_id_1> park",
    "x<extra_id_99>y <extra_id_5>",
    "<s>special</s> inside <pad> and <unk>",
    "numbers 1234 and 3.14159",
    "",
    " ",
    "don't stop-believing, ok?",
    "ＦＵＬＬ width ① ｶﾀｶﾅ",
    "Pegasus <mask_1> and <mask_2> and <unk_2> <unk_102>",
    "Ünïcödé façade naïve coöperate",
]
PAIRS = [
    ("first sentence", "second one"),
    ("The <extra_id_0> dog", "a <mask> cat"),
]


def cases(tok):
    out = []
    for t in TEXTS:
        e = tok(t, return_offsets_mapping=True, return_special_tokens_mask=True)
        out.append(
            {
                "text": t,
                "ids": e["input_ids"],
                "tokens": tok.convert_ids_to_tokens(e["input_ids"]),
                "offsets": [[a, b] for a, b in e["offset_mapping"]],  # code points
                "word_ids": [-1 if w is None else w for w in e.word_ids()],
                "special_tokens_mask": e["special_tokens_mask"],
                "decoded": tok.decode(e["input_ids"], skip_special_tokens=True),
            }
        )
    for a, b in PAIRS:
        e = tok(a, b)
        out.append({"text": a, "pair": b, "ids": e["input_ids"]})
    return out


def info(tok):
    return {
        "class": type(tok).__name__,
        "len": len(tok),
        "added_tokens": {
            str(k): {"content": v.content, "lstrip": v.lstrip, "special": v.special}
            for k, v in sorted(tok.added_tokens_decoder.items())
            if k < 5 or k >= len(tok) - 3 or "mask" in v.content
        },
    }


def write(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def roberta_vocab(limit_merges=None):
    """GPT-2's vocabulary as RoBERTa lays it out, and GPT-2's merges (all, or the first n)."""
    with open(os.path.join(TD, "gpt2", "encoder.json"), encoding="utf-8") as f:
        enc = json.load(f)
    with open(os.path.join(TD, "gpt2", "vocab.bpe"), encoding="utf-8") as f:
        merges = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#version")]
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    if limit_merges is None:
        for tok, i in sorted(enc.items(), key=lambda kv: kv[1]):
            vocab[tok] = i + 4
    else:
        merges = merges[:limit_merges]
        for tok, i in sorted(enc.items(), key=lambda kv: kv[1]):
            if i < 256:
                vocab[tok] = len(vocab)
        for m in merges:
            a, b = m.split(" ")
            vocab.setdefault(a + b, len(vocab))
    vocab["<mask>"] = len(vocab)
    return vocab, merges


def roberta_dir(d, vocab, merges, config=None, tok_config=None):
    os.makedirs(d, exist_ok=True)
    write(os.path.join(d, "vocab.json"), vocab)
    with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
    if config:
        write(os.path.join(d, "config.json"), config)
    if tok_config:
        write(os.path.join(d, "tokenizer_config.json"), tok_config)


def t5_shaped_model(src, dst):
    from transformers.utils import sentencepiece_model_pb2_new as pb

    m = pb.ModelProto()
    with open(src, "rb") as f:
        m.ParseFromString(f.read())
    assert [p.piece for p in m.pieces[:3]] == ["<unk>", "<s>", "</s>"]
    control, unknown = m.pieces[1].type, m.pieces[0].type
    for i, (piece, kind) in enumerate([("<pad>", control), ("</s>", control), ("<unk>", unknown)]):
        m.pieces[i].piece = piece
        m.pieces[i].type = kind
        m.pieces[i].score = 0.0
    m.trainer_spec.pad_id, m.trainer_spec.eos_id, m.trainer_spec.unk_id = 0, 1, 2
    m.trainer_spec.bos_id = -1
    m.trainer_spec.pad_piece, m.trainer_spec.eos_piece, m.trainer_spec.unk_piece = "<pad>", "</s>", "<unk>"
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as f:
        f.write(m.SerializeToString())


def main():
    tmp = tempfile.mkdtemp()
    refs = {}
    # RoBERTa as its hub folder: vocab.json + merges.txt + tokenizer_config.json (mask lstrip).
    out = os.path.join(TD, "roberta")
    os.makedirs(out, exist_ok=True)
    vocab, merges = roberta_vocab()
    mask = vocab["<mask>"]
    tok_config = {
        "tokenizer_class": "RobertaTokenizer",
        "add_prefix_space": False,
        "model_max_length": 512,
        "added_tokens_decoder": {
            str(i): {"content": c, "lstrip": c == "<mask>", "normalized": False, "rstrip": False,
                     "single_word": False, "special": True}
            for c, i in [("<s>", 0), ("<pad>", 1), ("</s>", 2), ("<unk>", 3), ("<mask>", mask)]
        },
    }
    write(os.path.join(out, "tokenizer_config.json"), tok_config)
    d = os.path.join(tmp, "roberta")
    roberta_dir(d, vocab, merges, tok_config=tok_config)
    tok = AutoTokenizer.from_pretrained(d)
    refs["roberta"] = {"info": info(tok), "cases": cases(tok)}
    # add_prefix_space true
    aps = dict(tok_config, add_prefix_space=True)
    write(os.path.join(out, "tokenizer_config.prefix-space.json"), aps)
    d = os.path.join(tmp, "roberta-aps")
    roberta_dir(d, vocab, merges, tok_config=aps)
    tok = AutoTokenizer.from_pretrained(d)
    refs["roberta-prefix-space"] = {"info": info(tok), "cases": cases(tok)}
    # BART: no tokenizer_config.json, model_type bart in config.json
    bart_config = {"model_type": "bart", "vocab_size": len(vocab)}
    write(os.path.join(out, "config.bart.json"), bart_config)
    d = os.path.join(tmp, "bart")
    roberta_dir(d, vocab, merges, config=bart_config)
    tok = AutoTokenizer.from_pretrained(d)
    refs["bart"] = {"info": info(tok), "cases": cases(tok)}
    # A small RoBERTa saved by Hugging Face: its tokenizer.json is what hub folders carry.
    small_vocab, small_merges = roberta_vocab(2000)
    d = os.path.join(tmp, "roberta-small-src")
    small_cfg = dict(tok_config)
    small_cfg["added_tokens_decoder"] = {
        str(small_vocab[c]): dict(v, content=c)
        for c, v in ((v["content"], v) for v in tok_config["added_tokens_decoder"].values())
    }
    roberta_dir(d, small_vocab, small_merges, tok_config=small_cfg)
    tok = AutoTokenizer.from_pretrained(d)
    small = os.path.join(out, "small")
    shutil.rmtree(small, ignore_errors=True)
    tok.save_pretrained(small)
    tok = AutoTokenizer.from_pretrained(small)
    refs["roberta-small"] = {"info": info(tok), "cases": cases(tok)}
    write(os.path.join(out, "expected.json"), refs)

    # OPT: GPT-2's tokenizer class over RoBERTa's vocabulary, </s> as BOS added in front.
    out = os.path.join(TD, "opt")
    os.makedirs(out, exist_ok=True)
    special = {"__type": "AddedToken", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}
    opt_config = {
        "tokenizer_class": "GPT2Tokenizer",
        "add_bos_token": True,
        "add_prefix_space": False,
        "errors": "replace",
        "bos_token": dict(special, content="</s>"),
        "eos_token": dict(special, content="</s>"),
        "unk_token": dict(special, content="</s>"),
        "pad_token": dict(special, content="<pad>"),
    }
    write(os.path.join(out, "tokenizer_config.json"), opt_config)
    write(os.path.join(out, "config.json"), {"model_type": "opt"})
    d = os.path.join(tmp, "opt")
    roberta_dir(d, vocab, merges, config={"model_type": "opt"}, tok_config=opt_config)
    tok = AutoTokenizer.from_pretrained(d)
    write(os.path.join(out, "expected.json"), {"opt": {"info": info(tok), "cases": cases(tok)}})

    # T5 / mT5 / Pegasus from SentencePiece's test model, given T5's special pieces.
    spm = os.path.join(TD, "t5", "spiece.model")
    t5_shaped_model(os.path.join(TD, "sentencepiece", "test_model.model"), spm)
    for name, config, tok_config in [
        ("t5", None, {"tokenizer_class": "T5Tokenizer", "extra_ids": 100}),
        ("t5-extra10", None, {"tokenizer_class": "T5Tokenizer", "extra_ids": 10}),
        ("mt5", {"model_type": "mt5"}, None),
        ("pegasus", {"model_type": "pegasus"}, None),
    ]:
        d = os.path.join(tmp, name)
        os.makedirs(d)
        shutil.copy(spm, os.path.join(d, "spiece.model"))
        if config:
            write(os.path.join(d, "config.json"), config)
        if tok_config:
            write(os.path.join(d, "tokenizer_config.json"), tok_config)
        tok = AutoTokenizer.from_pretrained(d)
        family = "pegasus" if name == "pegasus" else "t5"
        fam_dir = os.path.join(TD, family)
        os.makedirs(fam_dir, exist_ok=True)
        suffix = "" if name == family else "." + name
        if config:
            write(os.path.join(fam_dir, "config" + suffix + ".json"), config)
        if tok_config:
            write(os.path.join(fam_dir, "tokenizer_config" + suffix + ".json"), tok_config)
        refs_f = {"info": info(tok), "cases": cases(tok)}
        if name in ("t5", "pegasus"):
            saved = os.path.join(fam_dir, "saved")
            shutil.rmtree(saved, ignore_errors=True)
            tok.save_pretrained(saved)
            for f in os.listdir(saved):  # the tests read only tokenizer.json
                if f != "tokenizer.json":
                    os.remove(os.path.join(saved, f))
            again = AutoTokenizer.from_pretrained(saved)
            refs_f["saved_cases"] = cases(again)
        path = os.path.join(fam_dir, "expected.json")
        all_refs = {}
        if os.path.exists(path) and name != family:
            with open(path, encoding="utf-8") as f:
                all_refs = json.load(f)
        all_refs[name] = refs_f
        write(path, all_refs)
    # Token spans (offsets, word ids, special-tokens mask) of BERT and GPT-2 from their files.
    d = os.path.join(tmp, "bert")
    os.makedirs(d)
    shutil.copy(os.path.join(TD, "bert-base-uncased", "vocab.txt"), d)
    write(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "BertTokenizer", "do_lower_case": True})
    tok = AutoTokenizer.from_pretrained(d)
    write(os.path.join(TD, "bert-base-uncased", "expected_spans.json"), {"bert": {"info": info(tok), "cases": cases(tok)}})
    d = os.path.join(tmp, "gpt2")
    os.makedirs(d)
    shutil.copy(os.path.join(TD, "gpt2", "encoder.json"), os.path.join(d, "vocab.json"))
    shutil.copy(os.path.join(TD, "gpt2", "vocab.bpe"), os.path.join(d, "merges.txt"))
    write(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "GPT2Tokenizer"})
    tok = AutoTokenizer.from_pretrained(d)
    write(os.path.join(TD, "gpt2", "expected_spans.json"), {"gpt2": {"info": info(tok), "cases": cases(tok)}})
    shutil.rmtree(tmp)
    print("wrote", TD, file=sys.stderr)


if __name__ == "__main__":
    main()
