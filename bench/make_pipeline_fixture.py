"""Makes testdata/models/hf-tiny/pipelines: what Hugging Face's pipelines (transformers 5.18) answer
with the hf-tiny models and small tokenizers, so that t4j's task commands can be checked against
them: fill-mask (electra-generator), token-classification with "simple" aggregation
(electra-tokcls), text-classification (roberta-seqcls), summarization and translation (t5 with
task_specific_params). The WordPiece tokenizer is trained here on a fixed corpus (1000 ids, the
models' vocabulary, on the fixed sentences and tinyshakespeare); T5's is testdata/tokenizers/t5 (1000 pieces + 100 sentinels = its 1100 ids).
Run: ~/.venv-ref/bin/python bench/make_pipeline_fixture.py
"""
import json
import os
import shutil
import tempfile

import torch
import transformers
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers, decoders
from transformers import pipeline, AutoTokenizer, PreTrainedTokenizerFast, AutoModelForMaskedLM, AutoModelForTokenClassification
from transformers import AutoModelForSequenceClassification, AutoModelForSeq2SeqLM

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
tiny = os.path.join(root, "testdata", "models", "hf-tiny")
out = os.path.join(tiny, "pipelines")
os.makedirs(out, exist_ok=True)

corpus = [
    "John Smith lives in New York and works in Paris.",
    "The quick brown fox jumps over the lazy dog.",
    "Anna and Peter travelled from Berlin to Rome last summer.",
    "This movie was great, I loved every minute of it!",
    "The weather in London is terrible today.",
    "Machine learning models learn patterns from data.",
] * 20 + open(os.path.join(root, "testdata", "data", "tinyshakespeare.txt"), encoding="utf-8").read().split("\n")
tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
tok.normalizer = normalizers.BertNormalizer(lowercase=True)
tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
tok.train_from_iterator(corpus, trainers.WordPieceTrainer(
    vocab_size=1000, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
tok.post_processor = processors.TemplateProcessing(
    single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
tok.decoder = decoders.WordPiece()
tok.save(os.path.join(out, "wordpiece-tokenizer.json"))
tok_config = {"tokenizer_class": "PreTrainedTokenizerFast", "mask_token": "[MASK]", "pad_token": "[PAD]",
              "cls_token": "[CLS]", "sep_token": "[SEP]", "unk_token": "[UNK]"}
with open(os.path.join(out, "wordpiece-tokenizer_config.json"), "w") as f:
    json.dump(tok_config, f, indent=1)


def folder(model, tokenizer_files):
    d = tempfile.mkdtemp()
    for f in os.listdir(os.path.join(tiny, model)):
        if f.endswith(".json") and f != "config.json":
            continue
        shutil.copy(os.path.join(tiny, model, f), d)
    for src, dst in tokenizer_files:
        shutil.copy(src, os.path.join(d, dst))
    return d


wordpiece = [(os.path.join(out, "wordpiece-tokenizer.json"), "tokenizer.json"),
             (os.path.join(out, "wordpiece-tokenizer_config.json"), "tokenizer_config.json")]
result = {"note": "Hugging Face pipeline outputs (transformers %s) for the hf-tiny models with the tokenizers "
                  "named; scores rounded to 6 decimals. Made by bench/make_pipeline_fixture.py"
                  % transformers.__version__}

d = folder("electra-generator", wordpiece)
fill = pipeline("fill-mask", model=d, tokenizer=d, top_k=5)
texts = ["John Smith lives in [MASK] York.", "The quick brown [MASK] jumps."]
result["fill_mask"] = {"model": "electra-generator", "texts": texts,
                       "outputs": [[{k: (round(v, 6) if k == "score" else v) for k, v in c.items()} for c in fill(t)]
                                   for t in texts]}

# electra-tokcls labels every token O (its logits barely vary between tokens); this copy shifts
# the classifier's biases so that each label's mean logit is equal on the first text, and the
# labels then vary from token to token.
ner_dir = os.path.join(out, "electra-ner")
ner_model = AutoModelForTokenClassification.from_pretrained(os.path.join(tiny, "electra-tokcls"))
ner_tok = PreTrainedTokenizerFast(tokenizer_file=os.path.join(out, "wordpiece-tokenizer.json"))
with torch.no_grad():
    mean = ner_model(**ner_tok("John Smith lives in New York and works in Paris.", return_tensors="pt")).logits[0].mean(0)
    ner_model.classifier.bias -= mean - mean.max()
ner_model.save_pretrained(ner_dir)
for f in os.listdir(ner_dir):
    os.chmod(os.path.join(ner_dir, f), 0o644)
d = folder("pipelines/electra-ner", wordpiece)
ner = pipeline("token-classification", model=d, tokenizer=d, aggregation_strategy="simple")
texts = ["John Smith lives in New York and works in Paris.", "Anna travelled from Berlin to Rome.",
         "First Citizen: Before we proceed any further, hear me speak. You are all resolved rather to die than to famish?"]
result["ner"] = {"model": "pipelines/electra-ner", "texts": texts,
                 "outputs": [[{k: (round(float(v), 6) if k == "score" else v) for k, v in e.items()} for e in ner(t)]
                             for t in texts]}

def flat(r):
    return r[0] if r and isinstance(r[0], list) else r


d = folder("roberta-seqcls", wordpiece)
cls_pipe = pipeline("text-classification", model=d, tokenizer=d, top_k=None)
texts = ["This movie was great, I loved every minute of it!", "The weather in London is terrible today."]
result["classify"] = {"model": "roberta-seqcls", "texts": texts,
                      "outputs": [[{"label": c["label"], "score": round(c["score"], 6)} for c in flat(cls_pipe(t))]
                                  for t in texts]}

t5tok = os.path.join(root, "testdata", "tokenizers", "t5")
d = folder("t5", [(os.path.join(t5tok, "saved", "tokenizer.json"), "tokenizer.json"),
                  (os.path.join(t5tok, "tokenizer_config.json"), "tokenizer_config.json")])
config = json.load(open(os.path.join(d, "config.json")))
config["task_specific_params"] = {
    "summarization": {"prefix": "summarize: ", "num_beams": 3, "max_length": 12, "min_length": 4,
                      "no_repeat_ngram_size": 2, "length_penalty": 2.0, "early_stopping": True},
    "translation_en_to_de": {"prefix": "translate English to German: ", "max_length": 10, "num_beams": 2,
                             "early_stopping": True},
    "translation_en_to_fr": {"prefix": "translate English to French: ", "max_length": 9},
}
with open(os.path.join(d, "config.json"), "w") as f:
    json.dump(config, f, indent=1)
shutil.copy(os.path.join(d, "config.json"), os.path.join(out, "t5-config.json"))
texts = ["The quick brown fox jumps over the lazy dog.", "Machine learning models learn patterns."]
tokz = AutoTokenizer.from_pretrained(d)
model = AutoModelForSeq2SeqLM.from_pretrained(d)
model.eval()


def text_to_text(task):
    # transformers 5 has no summarization/translation pipelines: what v4's did, per text: the task's
    # prefix, its task_specific_params over the generation settings, generate, decode.
    params = dict(config["task_specific_params"][task])
    prefix = params.pop("prefix", "")
    outs, ids = [], []
    for t in texts:
        enc = tokz(prefix + t, return_tensors="pt")
        with torch.no_grad():
            o = model.generate(**enc, **params)
        ids.append(o[0].tolist())
        outs.append(tokz.decode(o[0], skip_special_tokens=True))
    return {"model": "t5", "task": task, "texts": texts, "outputs": outs, "output_ids": ids}


result["summarize"] = text_to_text("summarization")
result["translate_en_de"] = text_to_text("translation_en_to_de")
with open(os.path.join(out, "expected_pipelines.json"), "w") as f:
    json.dump(result, f, indent=1, ensure_ascii=False)
print(json.dumps(result, indent=1, ensure_ascii=False)[:3000])
