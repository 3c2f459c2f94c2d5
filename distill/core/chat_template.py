"""distill's chat templates: the reasoning kept verbatim in every assistant turn, the assistant's
content and its stop token marked for the loss, in three formats (ChatML, Llama 3 headers,
DeepSeek). SFT installs one when a model's own template fails its checks
(`distill.train.sft.chat_template`); the toy's tokenizer ships the ChatML one, so both follow one
contract.
"""

from __future__ import annotations

# ChatML that keeps <think> verbatim in every assistant turn, marks the assistant content and its
# <|im_end|> for the loss, and ends the final turn on <|im_end|> (no trailing newline) so every
# tokenized example ends with the stop token.
DISTILL_CHATML = (
    "{%- for message in messages %}"
    "{%- if message['role'] == 'assistant' %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- generation %}{{- message['content'] + '<|im_end|>' }}{%- endgeneration %}"
    "{%- if not loop.last %}{{- '\\n' }}{%- endif %}"
    "{%- else %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
CHATML_TOKENS = ["<|im_start|>", "<|im_end|>"]

# The same contract in Llama 3's own header format, used when the vocabulary has Llama 3's special
# tokens: no new tokens, no embedding resize (Llama 3.1/3.3 templates keep <think> but have no
# {% generation %} markers, and TRL ships no training variant of them).
DISTILL_LLAMA3 = (
    "{%- if bos_token %}{{- bos_token }}{%- endif %}"
    "{%- for message in messages %}"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' }}"
    "{%- if message['role'] == 'assistant' %}"
    "{%- generation %}{{- message['content'] + '<|eot_id|>' }}{%- endgeneration %}"
    "{%- else %}{{- message['content'] + '<|eot_id|>' }}{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{%- endif %}"
)
LLAMA3_TOKENS = ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]

# DeepSeek-R1-Distill's own format (BOS, a bare system prompt, <｜User｜>/<｜Assistant｜>, turns ended by
# <｜end▁of▁sentence｜>) with the reasoning kept in every turn. `{prefill}` is the model's own
# generation-prompt prefill: "" for the revision that ends the prompt on <｜Assistant｜>, "<think>\n"
# for the one that forces the reasoning block open.
DISTILL_DEEPSEEK = (
    "{{- bos_token }}"
    "{%- for message in messages %}{%- if message['role'] == 'system' %}"
    "{{- message['content'] }}{%- endif %}{%- endfor %}"
    "{%- for message in messages %}"
    "{%- if message['role'] == 'user' %}{{- '<｜User｜>' + message['content'] }}"
    "{%- elif message['role'] == 'assistant' %}{{- '<｜Assistant｜>' }}"
    "{%- generation %}{{- message['content'] + '<｜end▁of▁sentence｜>' }}{%- endgeneration %}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<｜Assistant｜>' + '__PREFILL__' }}{%- endif %}"
)
DEEPSEEK_TOKENS = ["<｜User｜>", "<｜Assistant｜>", "<｜end▁of▁sentence｜>"]

# name, marker tokens (all in the vocabulary: the format is available), stop token
FORMATS = (
    ("DeepSeek", DEEPSEEK_TOKENS, "<｜end▁of▁sentence｜>"),
    ("ChatML", CHATML_TOKENS, "<|im_end|>"),
    ("Llama-3", LLAMA3_TOKENS, "<|eot_id|>"),
)
