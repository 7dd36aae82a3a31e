#!/usr/bin/env bash
# Installs the training stack (train/requirements.txt: PyTorch, transformers, peft, trl,
# accelerate) into a virtual environment, by default ~/.cache/flash/train-venv, and prints its
# python. Large (about 5.9 GB and several minutes: PyPI's Linux torch wheel carries CUDA), so
# it is not part of the quick start. Idempotent: a second run only checks the pins.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${FLASH_TRAIN_VENV:-$HOME/.cache/flash/train-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/train/requirements.txt" >&2
echo "$venv/bin/python"
