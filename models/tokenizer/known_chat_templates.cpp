// The chat templates pevlm recognises, verbatim as their sources store them (see chat_template.h for
// how a folder's template is matched and why these are rendered by pevlm's prompt builders).
// tests/chat_template_test.cpp checks each against scripts/golden/make_chat_template_golden.py, which
// renders them with transformers' own Jinja (apply_chat_template) for every family's conversation.
#include "models/tokenizer/chat_template.h"

namespace pevlm::tokenizer {

const std::vector<KnownChatTemplate>& known_chat_templates() {
  static const std::vector<KnownChatTemplate> known = {
      // Qwen2-7B-Instruct's tokenizer_config.json "chat_template" (the LLM of LLaVA-Video-7B-Qwen2 and of
      // LongVILA's llm/); "\n" here is Jinja's escape inside the string literals.
      {"qwen2", "Qwen2-Instruct tokenizer_config.json (LLaVA-Video-7B-Qwen2, LongVILA llm/)",
       R"tpl({% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %})tpl"},
      // NVlabs/VILA llava/model/language_model/chat_templates/qwen2.jinja as VILA installs it when a config
      // names it (language_model/builder.py: runs of 4 spaces and newlines removed) and as a tokenizer it
      // saved then stores it. Its default system text has no final period.
      {"qwen2_vila", "VILA chat_templates/qwen2.jinja (as VILA installs and saves it)",
       R"tpl({% if messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant<|im_end|>\n' }}{% endif %}{% for message in messages if message['content'] is not none %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %})tpl"},
      // Qwen2.5-VL-7B/3B-Instruct processor template (chat_template.json / chat_template.jinja);
      // ../shared/data/qwen2.5-vl-7b-instruct/chat_template.jinja.
      {"qwen2_5_vl", "Qwen2.5-VL-Instruct processor chat_template.json / chat_template.jinja",
       R"tpl({% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}{% if loop.first and message['role'] != 'system' %}<|im_start|>system
You are a helpful assistant.<|im_end|>
{% endif %}<|im_start|>{{ message['role'] }}
{% if message['content'] is string %}{{ message['content'] }}<|im_end|>
{% else %}{% for content in message['content'] %}{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif content['type'] == 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>
{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant
{% endif %})tpl"},
      // transformers models/llava_onevision/convert_llava_onevision_weights_to_hf.py `chat_template` (the
      // processor template of llava-hf conversions; its "\n" are real newlines there and here).
      {"llava_onevision", "transformers LLaVA-OneVision conversion processor template (llava-hf folders)",
       R"tpl({% for message in messages %}{{'<|im_start|>' + message['role'] + '
'}}{# Render all images first #}{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>
' }}{% endfor %}{# Render all video then #}{% for content in message['content'] | selectattr('type', 'equalto', 'video') %}{{ '<video>
' }}{% endfor %}{# Render all text next #}{% if message['role'] != 'assistant' %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] }}{% endfor %}{% else %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{% generation %}{{ content['text'] }}{% endgeneration %}{% endfor %}{% endif %}{{'<|im_end|>' + '
'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant
' }}{% endif %})tpl"},
  };
  return known;
}

}  // namespace pevlm::tokenizer
