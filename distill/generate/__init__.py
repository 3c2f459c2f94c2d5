"""Teacher trace generation: engines (vllm, hf, openai) behind one interface, resumable shards."""
