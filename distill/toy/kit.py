"""Build a toy kit into one directory: `tokenizer/` and one directory per tiny model.

Used by `distill toy build` and by anyone who wants a complete offline setup in a few seconds. (The
recipe stage `distill toy setup` is distill/toy/setup.py.)
"""

from __future__ import annotations

from pathlib import Path

from distill.errors import DistillError


def build_kit(out_dir: str | Path, models: dict[str, dict], *, vocab_size: int = 512, seed: int = 0) -> dict[str, Path]:
    """Train the tokenizer into `out_dir/tokenizer`, then build each named model into `out_dir/<name>`.

    `models` maps a directory name to build_tiny_model keyword arguments (`arch`, `hidden_size`,
    `num_layers`, `num_heads`, `intermediate_size`, optional `seed`). A model without a seed gets
    `seed + its position`, so a teacher and a student built together do not start identical.
    Returns {"tokenizer": path, name: path, ...}.
    """
    from distill.toy.models import build_tiny_model, check_shape
    from distill.toy.tokenizer import build_tokenizer

    if "tokenizer" in models:
        raise DistillError("a toy model cannot be named 'tokenizer': that directory holds the tokenizer")
    for name, spec in models.items():
        try:
            check_shape(spec.get("arch", ""), spec.get("hidden_size", 128), spec.get("num_heads", 2))
        except DistillError as exc:
            raise DistillError(f"toy model {name!r}: {exc}") from None
    out_dir = Path(out_dir)
    paths = {"tokenizer": out_dir / "tokenizer"}
    build_tokenizer(paths["tokenizer"], vocab_size=vocab_size, seed=seed)
    for index, (name, spec) in enumerate(models.items()):
        spec = dict(spec)
        model_seed = spec.pop("seed", None)
        arch = spec.pop("arch")
        paths[name] = build_tiny_model(
            arch, paths["tokenizer"], out_dir / name, seed=seed + index if model_seed is None else model_seed, **spec
        )
    return paths
