"""Load client and model maker of bench/serve-load.sh (standard library only for the client).

  serve_load.py make-models OUT          a MiniLM-shaped random BERT (6 layers of 384) and a random
                                         GPT-2 (4 layers of 256, 256 positions) with the 300-id BPE
                                         of testdata/serving; needs the reference venv (transformers)
  serve_load.py mixed URL [--clients 32] [--requests 200] [--max-tokens 8] [--seed 0]
                                         each client sends its requests one after the other, half
                                         embeddings (1-4 texts), half completions; prints a JSON summary
  serve_load.py embed URL [--clients 32] [--requests 50]
                                         embeddings only, one text per request
"""
import json
import random
import sys
import threading
import time
import http.client
from urllib.parse import urlparse

SENTENCES = [
    "the quick brown fox jumps over the lazy dog",
    "a model of language predicts the next word",
    "hello world this is a small test of the server",
    "embeddings and completions over http",
    "transformers read the whole sentence at once",
    "the server gathers concurrent requests into one batch",
    "java runs the model without python",
    "a queue that is full answers too many requests",
]


def make_models(out):
    import os
    import shutil
    import torch
    from transformers import BertConfig, BertModel, GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    words = sorted({w for s in SENTENCES for w in s.split()})
    letters = list("abcdefghijklmnopqrstuvwxyz0123456789")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
    vocab += [c for c in letters if c not in vocab] + ["##" + c for c in letters]
    bert_dir = os.path.join(out, "bench-bert")
    os.makedirs(bert_dir, exist_ok=True)
    BertModel(BertConfig(vocab_size=len(vocab), hidden_size=384, num_hidden_layers=6,
                         num_attention_heads=12, intermediate_size=1536,
                         max_position_embeddings=512)).save_pretrained(bert_dir)
    with open(os.path.join(bert_dir, "vocab.txt"), "w") as f:
        f.write("\n".join(vocab) + "\n")
    gpt_dir = os.path.join(out, "bench-gpt2")
    os.makedirs(gpt_dir, exist_ok=True)
    GPT2LMHeadModel(GPT2Config(vocab_size=300, n_positions=256, n_embd=256, n_layer=4, n_head=4,
                               bos_token_id=0, eos_token_id=0)).save_pretrained(gpt_dir)
    here = os.path.dirname(os.path.abspath(__file__))
    shutil.copy(os.path.join(here, "..", "testdata", "serving", "tokenizer.json"), gpt_dir)
    print(bert_dir)
    print(gpt_dir)


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


def run(url, clients, requests, pick):
    """Each client thread sends `requests` requests made by pick(rng, i) on one keep-alive connection."""
    u = urlparse(url)
    results = []  # (kind, status, seconds, units)
    lock = threading.Lock()
    errors = []

    def client(c):
        rng = random.Random(1000 + c)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        mine = []
        for i in range(requests):
            kind, path, body, units = pick(rng, c * requests + i)
            data = json.dumps(body).encode()
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, data, {"Content-Type": "application/json"})
                r = conn.getresponse()
                payload = r.read()
                status = r.status
                if status == 200 and kind == "completion":
                    units = json.loads(payload)["usage"]["completion_tokens"]
                elif status != 200:
                    with lock:
                        errors.append((status, payload[:300].decode(errors="replace")))
            except Exception as e:  # a dropped connection counts as an error
                status = -1
                with lock:
                    errors.append((-1, repr(e)))
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
            mine.append((kind, status, time.perf_counter() - t0, units))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    summary = {"clients": clients, "requests": len(results), "seconds": round(wall, 2),
               "errors": len(errors), "requests_per_s": round(len(results) / wall, 1)}
    all_ok = [r for r in results if r[1] == 200]
    summary["p50_ms"] = round(1000 * percentile([r[2] for r in all_ok], 50), 1)
    summary["p99_ms"] = round(1000 * percentile([r[2] for r in all_ok], 99), 1)
    for kind in sorted({r[0] for r in results}):
        ok = [r for r in all_ok if r[0] == kind]
        summary[kind] = {
            "requests": len(ok),
            "per_s": round(len(ok) / wall, 1),
            "units_per_s": round(sum(r[3] for r in ok) / wall, 1),
            "p50_ms": round(1000 * percentile([r[2] for r in ok], 50), 1),
            "p99_ms": round(1000 * percentile([r[2] for r in ok], 99), 1),
        }
    if errors:
        summary["first_errors"] = errors[:5]
    return summary


def args(argv, name, default):
    return type(default)(argv[argv.index(name) + 1]) if name in argv else default


def main(argv):
    if argv[0] == "make-models":
        make_models(argv[1])
        return
    url = argv[1]
    clients = args(argv, "--clients", 32)
    if argv[0] == "mixed":
        requests = args(argv, "--requests", 200)
        max_tokens = args(argv, "--max-tokens", 8)

        def pick(rng, i):
            if rng.random() < 0.5:
                texts = rng.sample(SENTENCES, rng.randint(1, 4))
                return ("embedding", "/v1/embeddings",
                        {"model": "bench-bert", "input": texts}, len(texts))
            return ("completion", "/v1/completions",
                    {"model": "bench-gpt2", "prompt": rng.choice(SENTENCES), "max_tokens": max_tokens,
                     "temperature": 0.8, "seed": i}, 0)
    else:
        requests = args(argv, "--requests", 50)

        def pick(rng, i):
            return ("embedding", "/v1/embeddings",
                    {"model": "bench-bert", "input": rng.choice(SENTENCES)}, 1)
    print(json.dumps(run(url, clients, requests, pick)))


if __name__ == "__main__":
    main(sys.argv[1:])
