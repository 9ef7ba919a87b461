"""Chat templates and what Hugging Face's apply_chat_template renders for them.

Writes expected.json: each template (written for this project, in the shapes chat models use:
ChatML, Zephyr's, Llama 2's, and ones exercising whitespace control, namespaces, filters, tests,
slices and the rest of the Jinja subset), each message list, and the text transformers renders
with tokenize=False, with and without add_generation_prompt, or the error the template raises.
transformer-models' ChatTemplateTest renders the same with its Jinja subset and compares.

Run with the reference environment: ~/.venv-ref/bin/python testdata/chat-templates/make_expected.py
"""
import json
import os

import transformers
from transformers import PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENIZER = os.path.join(HERE, "..", "tokenizers", "gpt2", "tokenizer.json")
SPECIAL = {"bos_token": "<s>", "eos_token": "</s>"}

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

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
    # The rest of the subset: a reversed loop with tuple unpacking, range(), slices with steps,
    # string repetition and methods, Python's printing of lists, dicts, floats and None, integer
    # and true division, {%+ (no lstrip), the generation markers, is even / is odd, replace.
    "extras": """{%- for m in messages[::-1] %}{{ m.role[0] }}{% endfor %}
{{ range(3) | join(',') }} {{ range(1, 7, 2) | list }} {{ '-' * 3 }} {{ messages[1:][::2] | length }}
{%- for k, v in {'a': 1, 'b': [2.5, none, true, "it's"]}.items() %} {{ k }}={{ v }}{% endfor %}
{{ (1, 'x') | tojson }} {{ 7 // 2 }} {{ 7 / 2 }} {{ -7 % 3 }} {{ 2.0 }} {{ 'ab' ~ 1 }}
{{ messages[-1].content.count('e') }} {{ messages[-1].content.find('t') }} {{ messages[-1].content | length }}
  {%+ if messages | length is even %}even{% else %}odd{% endif %} {{ 3 is odd }}
{%- for m in messages %}
{% if m.role == 'assistant' %}{% generation %}{{ m.content | replace('I', 'i') }}{% endgeneration %}{% else %}{{ m.content[:4] }}{% endif %}
{%- endfor %}
{%- if add_generation_prompt %}
>{% endif %}""",
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
    "hello-there": [{"role": "user", "content": "Hello there"}],
    "terse-system": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "  What is 2+2?  "},
        {"role": "assistant", "content": "4"},
        {"role": "user", "content": 'And "3+3"?'},
    ],
    "with-tool-turn": [
        {"role": "user", "content": "a"},
        {"role": "tool", "content": "ignored"},
        {"role": "user", "content": "b\nc"},
    ],
    "assistant-first": [{"role": "assistant", "content": "I speak first"}],
}


def main():
    tok = PreTrainedTokenizerFast(tokenizer_file=TOKENIZER, **SPECIAL)
    cases = []
    for tname, template in TEMPLATES.items():
        for mname, messages in MESSAGES.items():
            for prompt in (True, False):
                case = {"template": tname, "messages": mname, "add_generation_prompt": prompt}
                try:
                    case["rendered"] = tok.apply_chat_template(
                        messages, chat_template=template, tokenize=False,
                        add_generation_prompt=prompt
                    )
                except Exception as e:  # the template's raise_exception
                    case["error"] = str(e)
                cases.append(case)
    out = {
        "note": "Chat templates written for this project and the text Hugging Face transformers "
        + transformers.__version__
        + " renders for them (apply_chat_template, tokenize=False, add_generation_prompt as given),"
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
