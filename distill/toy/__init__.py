"""The embedded tiny-model kit: a tokenizer trained on the spot, tiny Qwen2/Llama models and toy tasks
with verifiable answers. What the demo and the tests run on, anywhere, with no downloads."""
