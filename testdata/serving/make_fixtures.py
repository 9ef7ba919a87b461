"""Makes the fixtures of the serving tests (run with ~/.venv-ref/bin/python from this folder).

- tokenizer.json: a byte-level BPE of 300 ids trained by Hugging Face `tokenizers` on the little
  corpus below, so the tiny random GPT-2 of testdata/models/tiny-random-gpt2 can be served as text.
- tokenizer_config.json: its special tokens and a ChatML chat template.
- chat_templates.json: chat templates of the common shapes and message lists, each rendered by
  transformers 5.18's own template compiler (Jinja2 with trim_blocks and lstrip_blocks), the
  reference ChatTemplateTest compares the server's renderer with.
"""
import json

from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
from transformers.utils.chat_template_utils import _compile_jinja_template

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

TEMPLATES = {
    "chatml": CHATML,
    # Zephyr's shape: a block per message with trim/lstrip-sensitive line breaks.
    "zephyr": """{% for message in messages %}
{% if message['role'] == 'user' %}
{{ '<|user|>\n' + message['content'] + eos_token }}
{% elif message['role'] == 'system' %}
{{ '<|system|>\n' + message['content'] + eos_token }}
{% elif message['role'] == 'assistant' %}
{{ '<|assistant|>\n'  + message['content'] + eos_token }}
{% endif %}
{% if loop.last and add_generation_prompt %}
{{ '<|assistant|>' }}
{% endif %}
{% endfor %}""",
    # Llama-2's shape: the system message folded into the first user turn, alternation checked.
    "llama2": """{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}""",
    # Whitespace control, namespace, filters, inline if, tests and tojson.
    "features": """{%- set ns = namespace(found=false, n=0) -%}
{%- for m in messages if m.role != 'tool' -%}
    {%- set ns.n = ns.n + 1 -%}
    {%- if m.role == 'system' %}{% set ns.found = true %}{% endif -%}
    [{{ loop.index }}/{{ loop.length }}] {{ m.role | upper }}: {{ m.content | trim }}{{ ' (last)' if loop.last else '' }}
{% endfor -%}
{{- 'system seen' if ns.found else 'no system' }} {{ ns.n }} {{ messages | length }}
{%- if extra is defined %} extra{% endif %}
{%- if eos_token is not none %} eos={{ eos_token ~ '!' }}{% endif %}
{{ messages[-1] | tojson }}
{%- if add_generation_prompt %}
ASSISTANT:{% endif %}""",
}

CONVERSATIONS = [
    [{"role": "user", "content": "Hello there"}],
    [{"role": "system", "content": "You are terse."},
     {"role": "user", "content": "  What is 2+2?  "},
     {"role": "assistant", "content": "4"},
     {"role": "user", "content": "And \"3+3\"?"}],
    [{"role": "user", "content": "a"}, {"role": "tool", "content": "ignored"},
     {"role": "user", "content": "b\nc"}],
    [{"role": "assistant", "content": "I speak first"}],
]

cases = []
for name, source in TEMPLATES.items():
    compiled = _compile_jinja_template(source)
    for i, messages in enumerate(CONVERSATIONS):
        for gen in (True, False):
            try:
                out = compiled.render(messages=messages, add_generation_prompt=gen,
                                      bos_token="<s>", eos_token="</s>")
                cases.append({"template": name, "conversation": i, "add_generation_prompt": gen,
                              "rendered": out})
            except Exception as e:  # the template's raise_exception
                cases.append({"template": name, "conversation": i, "add_generation_prompt": gen,
                              "error": str(e)})

with open("chat_templates.json", "w") as f:
    json.dump({"note": "rendered by transformers 5.18 _compile_jinja_template (jinja2 3.1.6);"
                       " make_fixtures.py", "templates": TEMPLATES,
               "conversations": CONVERSATIONS, "cases": cases}, f, indent=1, ensure_ascii=False)
print(len(cases), "cases")
