"""Evaluation through the lm-eval harness: tasks, backends, pass@k / cons@k, results files."""
