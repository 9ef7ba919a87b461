"""Chat templates and what Hugging Face's apply_chat_template renders for them.

Writes expected.json: each template (written for this project, in the styles chat models use),
each message list, and the text transformers renders with add_generation_prompt=True and
tokenize=False, or the error the template raises. transformer-langchain4j's ChatTemplateTest
renders the same with its own Jinja subset and compares.

Run with the reference environment: ~/.venv-ref/bin/python testdata/chat-templates/make_expected.py
"""
import json
import os

import transformers
from transformers import PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENIZER = os.path.join(HERE, "..", "tokenizers", "gpt2", "tokenizer.json")
SPECIAL = {"bos_token": "<s>", "eos_token": "</s>"}

TEMPLATES = {
    # Markers around each turn, everything in output expressions.
    "markers": (
        "{% for message in messages %}{{'<|turn|>' + message['role'] + '\\n' + message['content']"
        " + '<|end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
        "{{ '<|turn|>assistant\\n' }}{% endif %}"
    ),
    # Whitespace control with '-', a leading system prompt folded into the first user turn,
    # alternation enforced with raise_exception, loop.first, slices, trim.
    "instructions": (
        "{{ bos_token }}\n"
        "{%- if messages[0]['role'] == 'system' %}\n"
        "    {%- set system = messages[0]['content'] %}\n"
        "    {%- set rest = messages[1:] %}\n"
        "{%- else %}\n"
        "    {%- set system = '' %}\n"
        "    {%- set rest = messages %}\n"
        "{%- endif %}\n"
        "{%- for m in rest %}\n"
        "    {%- if (m['role'] == 'user') != (loop.index0 % 2 == 0) %}\n"
        "        {{- raise_exception('roles must alternate user/assistant/user/...') }}\n"
        "    {%- endif %}\n"
        "    {%- if m['role'] == 'user' %}\n"
        "        {%- if loop.first and system %}\n"
        "[INST] <<SYS>>\n"
        "{{ system }}\n"
        "<</SYS>>\n"
        "\n"
        "{{ m['content'] | trim }} [/INST]\n"
        "        {%- else %}\n"
        "[INST] {{ m['content'] | trim }} [/INST]\n"
        "        {%- endif %}\n"
        "    {%- else %}\n"
        " {{ m['content'] | trim }} {{ eos_token }}\n"
        "    {%- endif %}\n"
        "{%- endfor %}"
    ),
    # No '-' at all: only trim_blocks and lstrip_blocks shape the lines.
    "plain-lines": (
        "{% for message in messages %}\n"
        "  {% if message.role == 'system' %}\n"
        "System: {{ message.content }}\n"
        "  {% elif message.role == 'user' %}\n"
        "User: {{ message.content }}\n"
        "  {% else %}\n"
        "Assistant: {{ message.content }}{{ eos_token }}\n"
        "  {% endif %}\n"
        "{% endfor %}\n"
        "{# the generation prompt #}\n"
        "{% if add_generation_prompt %}\n"
        "Assistant:\n"
        "{% endif %}\n"
    ),
    # namespace(), a filtered loop and its loop.* values, tests, string methods, filters,
    # tojson of a dict literal, ~ and the conditional expression.
    "namespace": (
        "{%- set ns = namespace(sys=none, turns=0) %}\n"
        "{%- for m in messages %}\n"
        "{%- if m.role == 'system' %}{% set ns.sys = m.content.strip() %}"
        "{% else %}{% set ns.turns = ns.turns + 1 %}{% endif %}\n"
        "{%- endfor %}\n"
        "{%- if ns.sys is not none %}<sys>{{ ns.sys | upper }}</sys>{% endif %}\n"
        "{%- for m in messages if m.role in ['user', 'assistant'] %}\n"
        "<{{ m.role[:1] }}{{ loop.index }}/{{ loop.length }}>{{ m.content.replace('\\n', ' ') }}"
        "{{ ' ' ~ loop.revindex0 if not loop.last else '' }}\n"
        "{%- endfor %}\n"
        "{{- '\\n' ~ ({'role': 'meta', 'turns': ns.turns, 'last': messages[-1].content} | tojson) }}\n"
        "{%- if add_generation_prompt and messages[-1].role == 'user' %}\n"
        "<a>{% endif %}"
    ),
}

MESSAGES = {
    "system-user-assistant-user": [
        {"role": "system", "content": "You answer in one sentence."},
        {"role": "user", "content": "What is a tokenizer?"},
        {"role": "assistant", "content": "It splits text into ids."},
        {"role": "user", "content": "And a model?"},
    ],
    "one-user": [{"role": "user", "content": "Hello"}],
    "awkward-text": [
        {"role": "system", "content": "  Be brief.\n"},
        {"role": "user", "content": "Hello\nthere"},
        {"role": "assistant", "content": "Hi!"},
        {"role": "user", "content": "What's 2 + 2 & <3>? \u00e9t\u00e9 \"quoted\""},
    ],
    "two-users": [
        {"role": "user", "content": "one"},
        {"role": "user", "content": "two"},
    ],
}


def main():
    tok = PreTrainedTokenizerFast(tokenizer_file=TOKENIZER, **SPECIAL)
    cases = []
    for tname, template in TEMPLATES.items():
        for mname, messages in MESSAGES.items():
            case = {"template": tname, "messages": mname}
            try:
                case["rendered"] = tok.apply_chat_template(
                    messages, chat_template=template, tokenize=False, add_generation_prompt=True
                )
            except Exception as e:  # the template's raise_exception
                case["error"] = str(e)
            cases.append(case)
    out = {
        "note": "Chat templates written for this project and the text Hugging Face transformers "
        + transformers.__version__
        + " renders for them (apply_chat_template, add_generation_prompt=True, tokenize=False),"
        " or the error the template raises; special tokens "
        + json.dumps(SPECIAL)
        + ". Made by make_expected.py.",
        "special_tokens": SPECIAL,
        "templates": TEMPLATES,
        "messages": MESSAGES,
        "cases": cases,
    }
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    for c in cases:
        print(c["template"], c["messages"], repr(c.get("rendered", c.get("error")))[:160])


main()
