"""Training through TRL: `sft/` (students), `grpo/` (teachers and baselines), `on_policy*.py`
(on-policy distillation); shared by them: `rewards/`, `model_loading.py`, `memory_plan.py`,
`rerun.py`, `step_metrics.py`, `vllm_cpu.py`, `reflection.py`."""
