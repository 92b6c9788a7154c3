#!/usr/bin/env python3
"""Chat templates rendered by transformers, for tests/chat_template_test.cpp and the family golden tests.

Usage: .venv/bin/python scripts/golden/make_chat_template_golden.py  (transformers 5.x, jinja2 3.x)
Writes tests/data/golden/chat_templates.json:
  "templates": {name: {"text", "sha256"}} -- the known templates (their C++ copies in
      models/tokenizer/known_chat_templates.cpp must be equal: the test checks);
  "renders": [{"family", "template", "system", "media", "text", "question", "messages", "rendered"}] -- the
      conversation each family's reference code builds for one video question, rendered by
      `tokenizer.apply_chat_template(messages, chat_template=..., tokenize=False, add_generation_prompt=True)`
      (the Qwen2 tokenizer of ../shared/data/qwen2-tokenizer; rendering does not depend on the vocabulary).
      "system" null = no system message (VILA's generate_content sends none); "media" is the placeholder
      the family's prompt text carries for the video; "text" the user text after it (as rendered);
      "question" the text the harness hands the family's build_prompt.

Sources of the template texts: Qwen2-Instruct tokenizer_config.json; NVlabs/VILA
llava/model/language_model/chat_templates/qwen2.jinja (36f6adc) after VILA's own
`.replace("    ", "").replace("\\n", "")` (language_model/builder.py); ../shared/data/qwen2.5-vl-7b-instruct/
chat_template.jinja; transformers models/llava_onevision/convert_llava_onevision_weights_to_hf.py.
Conversations: lmms-eval models/simple/qwen2_5_vl.py (system string + [video, text]); LLaVA-NeXT
conv_templates["qwen_1_5"] with "<image>\\n" + text (lmms-eval llava_vid); transformers LLaVA-OneVision
processors ([{"type": "text"}] system + [video, text]); VILA llava/utils/media.py extract_media
("<vila/video>" + text) and llava/utils/tokenizer.py tokenize_conversation (value.strip()).
"""
import hashlib
import json
from pathlib import Path

import jinja2
import transformers
from transformers import Qwen2Tokenizer

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
if not SHARED.exists():
    SHARED = Path("/work/shared")

QWEN2 = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
         "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
         "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
         "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
VILA_QWEN2_JINJA = """{% if messages[0]['role'] != 'system' %}
    {{ '<|im_start|>system\\nYou are a helpful assistant<|im_end|>\\n' }}
{% endif %}

{% for message in messages if message['content'] is not none %}
    {{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}
{% endfor %}

{% if add_generation_prompt %}
    {{ '<|im_start|>assistant\\n' }}
{% endif %}
"""
ONEVISION = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n'}}{# Render all images first #}"
             "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\n' }}{% endfor %}"
             "{# Render all video then #}{% for content in message['content'] | selectattr('type', 'equalto', 'video') %}"
             "{{ '<video>\n' }}{% endfor %}{# Render all text next #}{% if message['role'] != 'assistant' %}"
             "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] }}{% endfor %}"
             "{% else %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{% generation %}"
             "{{ content['text'] }}{% endgeneration %}{% endfor %}{% endif %}{{'<|im_end|>' + '\n'}}{% endfor %}"
             "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")


def templates():
    return {
        "qwen2": QWEN2,
        "qwen2_vila": VILA_QWEN2_JINJA.replace("    ", "").replace("\n", ""),
        "qwen2_5_vl": (SHARED / "data" / "qwen2.5-vl-7b-instruct" / "chat_template.jinja").read_text(),
        "llava_onevision": ONEVISION,
    }


SYSTEMS = ["You are a helpful assistant.", "You are a video expert."]
TEXTS = ["Question: What happens first?\nA. one\nB. two\nAnswer with the option's letter from the given choices directly.\n",
         "The video lasts for 12.00 seconds, and 4 frames are uniformly sampled from it.\nWhat is shown? "]


def vila_text(text):
    """The user text after the media in VILA's stripped message value."""
    return ("<vila/video>" + text).strip()[len("<vila/video>"):]


def conversations():
    """(family, template, system, media, text, question, messages) as each family's reference code builds them."""
    out = []
    for system in SYSTEMS:
        for text in TEXTS:
            out.append(("qwen2_5_vl", "qwen2_5_vl", system, "<|vision_start|><|video_pad|><|vision_end|>", text, text,
                        [{"role": "system", "content": system},
                         {"role": "user", "content": [{"type": "video", "video": "clip.mp4"}, {"type": "text", "text": text}]}]))
            out.append(("llava_video", "qwen2", system, "<image>", "\n" + text, text,
                        [{"role": "system", "content": system}, {"role": "user", "content": "<image>\n" + text}]))
            out.append(("llava_video", "llava_onevision", system, "<video>", "\n" + text, text,
                        [{"role": "system", "content": [{"type": "text", "text": system}]},
                         {"role": "user", "content": [{"type": "video"}, {"type": "text", "text": text}]}]))
            for name in ("qwen2", "qwen2_vila"):
                out.append(("longvila", name, system, "<vila/video>", vila_text(text), text,
                            [{"role": "system", "content": system},
                             {"role": "user", "content": ("<vila/video>" + text).strip()}]))
    for name in ("qwen2", "qwen2_vila"):  # VILA's own call: no system message
        text = TEXTS[0]
        out.append(("longvila", name, None, "<vila/video>", vila_text(text), text,
                    [{"role": "user", "content": ("<vila/video>" + text).strip()}]))
    return out


def main():
    vocab = SHARED / "data" / "qwen2-tokenizer"
    tok = Qwen2Tokenizer(vocab=str(vocab / "vocab.json"), merges=str(vocab / "merges.txt"))
    known = templates()
    renders = []
    for family, name, system, media, text, question, messages in conversations():
        rendered = tok.apply_chat_template(messages, chat_template=known[name], tokenize=False, add_generation_prompt=True)
        renders.append({"family": family, "template": name, "system": system, "media": media, "text": text,
                        "question": question, "messages": messages, "rendered": rendered})
    out = ROOT / "tests" / "data" / "golden" / "chat_templates.json"
    out.write_text(json.dumps({
        "transformers": transformers.__version__, "jinja2": jinja2.__version__,
        "templates": {k: {"text": v, "sha256": hashlib.sha256(v.encode()).hexdigest()} for k, v in known.items()},
        "renders": renders}, indent=1, ensure_ascii=False) + "\n")
    print(f"{out}: {len(known)} templates, {len(renders)} renders")


if __name__ == "__main__":
    main()
