"""Makes the fixtures of the serving tests (run with ~/.venv-ref/bin/python from this folder).

- tokenizer.json: a byte-level BPE of 300 ids trained by Hugging Face `tokenizers` on the little
  corpus below, so the tiny random GPT-2 of testdata/models/tiny-random-gpt2 can be served as text.
- tokenizer_config.json: its special tokens and a ChatML chat template.

The chat-template fixtures (ChatML, Zephyr's and Llama 2's shapes, ...) are made by
../chat-templates/make_expected.py, with the rest of them.
"""
import json

from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers

CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "a model of language predicts the next word",
    "hello world, this is a small test of the server",
    "embeddings and completions over http",
] * 20

tok = Tokenizer(models.BPE())
tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
tok.decoder = decoders.ByteLevel()
trainer = trainers.BpeTrainer(
    vocab_size=300, special_tokens=["<|endoftext|>"],
    initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
tok.train_from_iterator(CORPUS, trainer)
tok.save("tokenizer.json")

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
with open("tokenizer_config.json", "w") as f:
    json.dump({
        "tokenizer_class": "GPT2Tokenizer",
        "bos_token": "<|endoftext|>",
        "eos_token": "<|endoftext|>",
        "chat_template": CHATML,
    }, f, indent=2)

