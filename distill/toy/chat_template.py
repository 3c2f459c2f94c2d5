"""The ChatML chat template of the toy tokenizer.

Why this shape:
- `<think>…</think>` is kept verbatim in every assistant turn, history included: a distilled student
  is trained on whole traces, so no turn may lose its reasoning.
- Each assistant turn ends with the EOS `<|im_end|>`, so a model trained on it learns to stop.
- The assistant content and its EOS sit inside `{% generation %}`, which is what transformers'
  `return_assistant_tokens_mask` and TRL's `assistant_only_loss=True` read.
"""

CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{%- if message['role'] == 'assistant' %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- generation %}{{- message['content'] + '<|im_end|>' }}{%- endgeneration %}"
    "{{- '\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
