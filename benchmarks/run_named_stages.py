"""Run a named-stage recipe (`stages:`) one stage at a time with today's single-section commands.

    python benchmarks/run_named_stages.py recipes/toy/r1.yaml                 # run, skipping finished stages
    python benchmarks/run_named_stages.py recipes/toy/r1.yaml --check         # validate every stage, run nothing
    python benchmarks/run_named_stages.py recipes/deepseek-r1/pipeline.yaml --plan   # placement plans
    python benchmarks/run_named_stages.py recipes/toy/r1.yaml --set seed=1 --set output_dir=runs/toy_r1_seed1

Until `distill run` reads `stages:` (issue 16, named stages), this is how recipes/toy/r1.yaml and
recipes/deepseek-r1/pipeline.yaml are checked and run: for each named stage it writes a recipe whose
fixed section (the one the stage's command reads: `train_student` for train-student, ...) is the
named section, with `${stages.NAME}` replaced by that stage's output directory and the section's
`output_dir` pinned to `<output_dir>/<name>`; then it validates that recipe with `distill validate`'s
checks and runs `python -m distill <command> <recipe>`. A stage whose output holds an ok stamp for
the same section is skipped, as `distill run` skips it; once one stage runs, every later one does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml

from distill.config import apply_overrides, load_yaml
from distill.manifest import now_iso, read_json, write_json_atomic
from distill.recipe import interpolate

# The section each command reads today, and its flag to redo a finished output.
COMMAND_SECTION = {
    "toy setup": ("toy", "--force"), "generate": ("generate", "--fresh"), "filter": ("filter", "--force"),
    "train-student": ("train_student", "--fresh"), "train-teacher": ("train_teacher", "--fresh"),
    "train-baseline": ("train_baseline", "--fresh"), "eval": ("eval", "--force"), "report": ("report", "--force"),
}
PLAN_COMMANDS = {"generate", "train-teacher", "train-student"}  # the commands with a placement plan (--plan)
STAMP = "named_stage.json"
REFERENCE = re.compile(r"\$\{stages\.([A-Za-z0-9_]+)\}")


def stage_dirs(data: dict) -> dict[str, str]:
    out = str(data.get("output_dir", "runs/default"))
    dirs = {}
    for stage in data["stages"]:
        section = data.get(stage.get("section", stage["name"])) or {}
        dirs[stage["name"]] = str(section.get("output_dir") or f"{out}/{stage['name']}")
    return dirs


def check_references(value, earlier: set[str], where: str) -> None:
    """Every ${stages.NAME} must name an earlier stage (what `distill validate` will check)."""
    if isinstance(value, dict):
        for key, item in value.items():
            check_references(item, earlier, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_references(item, earlier, f"{where}[{index}]")
    elif isinstance(value, str):
        for name in REFERENCE.findall(value):
            if name not in earlier:
                sys.exit(f"{where}: ${{stages.{name}}} does not name an earlier stage")


def derived_recipes(path: str, overrides: list[str]) -> list[tuple[str, str, dict]]:
    """[(stage name, command, single-section recipe)] in stage order."""
    data = load_yaml(path)
    apply_overrides(data, overrides)
    if "stages" not in data:
        sys.exit(f"{path}: no 'stages' list")
    out = str(data.get("output_dir", "runs/default"))
    dirs = stage_dirs(data)
    variables = {"output_dir": out, **{f"stages.{name}": d for name, d in dirs.items()}}
    derived, earlier = [], set()
    for stage in data["stages"]:
        name, command = stage["name"], stage["command"]
        section_name = stage.get("section", name)
        if command not in COMMAND_SECTION:
            sys.exit(f"{path}: stages.{name}.command: {command!r} is not one of {', '.join(COMMAND_SECTION)}")
        if section_name not in data:
            sys.exit(f"{path}: stage '{name}' reads section '{section_name}', and the recipe has none")
        check_references(data[section_name], earlier, f"{path}: {section_name}")
        section = interpolate(data[section_name], variables)
        section["output_dir"] = dirs[name]
        fixed = COMMAND_SECTION[command][0]
        derived.append((name, command, {"seed": data.get("seed", 0), "output_dir": out, fixed: section}))
        earlier.add(name)
    return derived


def fingerprint(recipe: dict) -> str:
    return hashlib.sha256(json.dumps(recipe, sort_keys=True, default=str).encode()).hexdigest()[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recipe")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--check", action="store_true", help="validate every stage's recipe; run nothing")
    parser.add_argument("--plan", action="store_true", help="print the placement plan of each stage that has one")
    parser.add_argument("--only", action="append", help="run only these stages (by name)")
    args = parser.parse_args()
    from distill.cli.validate import validate_recipe

    stages = derived_recipes(args.recipe, args.overrides)
    work = Path(stages[0][2]["output_dir"]) / "named_stages"
    work.mkdir(parents=True, exist_ok=True)
    rerun_rest, plan_failures = False, 0
    for name, command, recipe in stages:
        file = work / f"{name}.yaml"
        file.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
        validate_recipe(str(file), [])  # the command's own schema and TRL pass-through checks
        out = Path(next(v["output_dir"] for k, v in recipe.items() if isinstance(v, dict)))
        if args.check:
            print(f"ok   {name:22} {command:14} -> {out}")
            continue
        if args.plan:
            if command in PLAN_COMMANDS:
                print(f"\n=== {name}: distill {command} --plan", flush=True)
                code = subprocess.run([sys.executable, "-m", "distill", *command.split(), str(file), "--plan"]).returncode
                plan_failures += code != 0  # go on: every stage's plan is worth seeing
            continue
        stamp = read_json(out / STAMP) or {}
        selected = args.only is None or name in args.only
        current = stamp.get("status") == "ok" and stamp.get("fingerprint") == fingerprint(recipe)
        if not selected or (current and not rerun_rest):
            print(f"skip {name:22} {'not selected' if not selected else 'output is current'}", flush=True)
            continue
        cmd = [sys.executable, "-m", "distill", *command.split(), str(file)]
        if current or stamp.get("status") == "ok" or args.only:
            cmd.append(COMMAND_SECTION[command][1])  # redo a finished output on purpose
        print(f"\n=== {name}: {' '.join(cmd[2:])}", flush=True)
        out.mkdir(parents=True, exist_ok=True)
        t0 = time.time()
        write_json_atomic(out / STAMP, {"stage": name, "fingerprint": fingerprint(recipe), "started": now_iso(),
                                        "status": "running"})
        code = subprocess.run(cmd, env={**os.environ, "PYTHONUNBUFFERED": "1"}).returncode
        seconds = round(time.time() - t0, 1)
        write_json_atomic(out / STAMP, {"stage": name, "fingerprint": fingerprint(recipe), "ended": now_iso(),
                                        "status": "ok" if code == 0 else "failed", "wall_seconds": seconds})
        print(f"--- {name}: exit {code} after {seconds:.0f} s", flush=True)
        if code:
            return code
        rerun_rest = True
    return 1 if plan_failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
