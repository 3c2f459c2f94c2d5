"""What crosses stages: the vocabulary every stage shares, each concept in its own module.

- `think`: the reasoning tags and the one split of a trace into reasoning and final answer;
- `domains`: the four domains distill verifies;
- `instruction`: R1's instruction sentences, as generation prompts and eval tasks word them;
- `chat_template`: distill's chat templates (reasoning kept in every turn), for SFT and the toy;
- `language`: the script counter behind the language filter and the language-consistency reward;
- `code_blocks`: the one extractor of the Python answer from a final text;
- `trace`: the fields of a trace record, what generate writes and filter reads.

Nothing here imports another part of distill (a test checks it), so any stage can use it.
"""
