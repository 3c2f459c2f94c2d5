"""Answer extraction and verdicts (math, choice, code). One layer serves the filter, the GRPO
rewards and the evaluation score, so a verdict is the same everywhere."""
