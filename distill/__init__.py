"""distill: distill reasoning models from their traces, the way DeepSeek-R1 was distilled."""

__version__ = "0.1.0"
