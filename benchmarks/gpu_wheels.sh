#!/usr/bin/env bash
# Wheels the lent GPU machine lacks (its image has torch 2.11, transformers 5.17, peft, accelerate,
# triton, pandas, pyarrow, scikit-learn, sacrebleu; no trl, datasets, math-verify, lm-eval, liger),
# pinned to the versions this project is tested with, for its Python 3.12 on x86-64. Run from the
# repository root; the folder .whl/ is git-ignored and is carried with the device call:
#
#   bash benchmarks/gpu_wheels.sh && du -sh .whl
#
# Pure-Python packages published only as source (rouge-score, sqlitedict, word2number) are built
# into py3-none-any wheels here with `pip wheel --no-deps`.
set -euo pipefail
PY=${PYTHON:-/work/main/.venv/bin/python}
DEST=${1:-.whl}
mkdir -p "$DEST"
PLATFORM=(--python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64
          --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64)
PINNED=(
  trl==1.16.0 datasets==5.2.0 dill==0.4.1 multiprocess==0.70.19
  math-verify==0.9.0 latex2sympy2_extended==1.11.0 antlr4-python3-runtime==4.13.2
  lm-eval==0.4.13 evaluate==0.4.6 pytablewriter==1.2.1 DataProperty==1.1.1 mbstrdecoder==1.1.5
  pathvalidate==3.3.1 tabledata==1.3.5 tcolorpy==0.1.7 typepy==1.3.5 chardet==6.0.0.post1
  more-itertools==11.2.1 nltk==3.10.4
  liger-kernel==0.8.5
)
SOURCE_ONLY=(rouge-score==0.1.2 sqlitedict==2.1.0 word2number==1.1)
for req in "${PINNED[@]}"; do
  "$PY" -m pip download -q --no-deps --only-binary=:all: "${PLATFORM[@]}" -d "$DEST" "$req"
done
for req in "${SOURCE_ONLY[@]}"; do
  "$PY" -m pip wheel -q --no-deps -w "$DEST" "$req"
done
ls "$DEST"
