"""distill's lm-eval tasks, shipped inside the package (package data): one YAML per task named
after it, `_r1_protocol_yaml` (R1's protocol, included by each), and `utils.py`, the hooks the
YAMLs reference with `!function` (lm-eval loads it from this directory by its file path).
Found through `importlib.resources` (`distill.evaluate.registry.task_dir`)."""
