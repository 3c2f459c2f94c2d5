"""GRPO of teachers and baselines (`distill train-teacher`, `distill train-baseline`): TRL's
GRPOTrainer with distill's rewards (`distill/train/rewards/`).

`trainer.py` runs it; `config.py` is the section; `data.py` builds the prompt set; `callbacks.py`
(budget, metrics, progress), `memory.py` (gradient checkpointing from the memory plan) and
`plot.py` (training curves) serve the run.
"""
