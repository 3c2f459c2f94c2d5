"""Multi-process / multi-node SFT: re-execute through `accelerate launch`.

`distill train-student` runs one process in place. With more than one process per machine, more than
one machine, or an accelerate config file, it runs instead

    accelerate launch [--config_file CFG] --num_processes N×M --num_machines M --machine_rank R \
        [--main_process_ip IP --main_process_port P] -m distill.train.sft.entry RECIPE --set ...

(accelerate's --num_processes counts processes on all machines). Run the same command on every node
with its own `--set train_student.machine_rank=R`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

LAUNCHED_ENV = "DISTILL_SFT_LAUNCHED"


def needs_launch(cfg: Any) -> bool:
    if os.environ.get(LAUNCHED_ENV) or "LOCAL_RANK" in os.environ:
        return False  # already one of the launched processes
    return cfg.world_size > 1 or bool(cfg.accelerate_config)


DISTRIBUTED_TYPES = ("NO", "MULTI_GPU", "MULTI_CPU", "DEEPSPEED", "FSDP", "MULTI_NPU", "MULTI_XPU", "MULTI_HPU", "XLA")


def check_accelerate_config(cfg: Any) -> None:
    """The accelerate config file exists and says how to distribute (a recipe there fails in one line)."""
    from pathlib import Path

    import yaml

    from distill.errors import DistillError

    path = cfg.accelerate_config
    if not path:
        return
    if not Path(path).is_file():
        raise DistillError(f"train_student.accelerate_config: {path} not found")
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DistillError(
            f"train_student.accelerate_config: {path} is not YAML ({str(exc).splitlines()[0]})"
        ) from None
    if not isinstance(data, dict) or "distributed_type" not in data:
        raise DistillError(
            f"train_student.accelerate_config: {path} has no distributed_type (not an accelerate config)"
        )
    kind = str(data["distributed_type"]).upper()
    if kind not in DISTRIBUTED_TYPES:
        raise DistillError(
            f"train_student.accelerate_config: {path}: unknown distributed_type {data['distributed_type']!r}"
        )
    machines = int(data.get("num_machines") or 1)
    if machines != cfg.num_machines and cfg.num_machines > 1:
        raise DistillError(
            f"train_student.accelerate_config: {path} is for {machines} machine(s), "
            f"the recipe's num_machines is {cfg.num_machines}"
        )


def check_launcher(cfg: Any) -> None:
    """DeepSpeed configs need deepspeed: say so before accelerate fails in every process."""
    from distill.errors import require
    from distill.train.memory_plan import strategy_from_accelerate

    if strategy_from_accelerate(cfg.accelerate_config, cfg.world_size).name.startswith("zero"):
        require("deepspeed", "deepspeed", f"the accelerate config {cfg.accelerate_config} (DeepSpeed ZeRO)")


def launch_command(
    cfg: Any,
    recipe_path: str,
    overrides: list[str],
    *,
    resume: bool = False,
    fresh: bool = False,
    allow_partial_input: bool = False,
    stage: str = "train_student",
) -> list[str]:
    cmd = [sys.executable, "-m", "accelerate.commands.launch"]
    if cfg.accelerate_config:
        cmd += ["--config_file", cfg.accelerate_config]
    if cfg.world_size > 1 or not cfg.accelerate_config:
        cmd += ["--num_processes", str(cfg.world_size), "--num_machines", str(cfg.num_machines)]
        if cfg.num_machines > 1:
            cmd += ["--machine_rank", str(cfg.machine_rank)]
    if not cfg.accelerate_config and cfg.world_size > 1:
        cmd += ["--multi_gpu"]  # DDP through torchrun; on a CPU-only machine torch uses gloo
    if cfg.main_process_ip:
        cmd += ["--main_process_ip", cfg.main_process_ip]
    if cfg.num_machines > 1 or cfg.main_process_ip:
        cmd += ["--main_process_port", str(cfg.main_process_port)]
    cmd += ["-m", "distill.train.sft.entry", recipe_path]
    for item in overrides:
        cmd += ["--set", item]
    if resume:
        cmd.append("--resume")
    cmd += ["--fresh"] if fresh else []
    cmd += ["--allow-partial-input"] if allow_partial_input else []
    cmd += ["--stage", stage] if stage != "train_student" else []
    return cmd


def launch(
    cfg: Any,
    recipe_path: str,
    overrides: list[str],
    *,
    resume: bool = False,
    fresh: bool = False,
    allow_partial_input: bool = False,
    stage: str = "train_student",
) -> int:
    import subprocess

    cmd = launch_command(
        cfg, recipe_path, overrides, resume=resume, fresh=fresh, allow_partial_input=allow_partial_input, stage=stage
    )
    print("launching: " + " ".join(cmd[1:]), file=sys.stderr)
    env = {**os.environ, LAUNCHED_ENV: "1"}
    return subprocess.run(cmd, env=env).returncode
