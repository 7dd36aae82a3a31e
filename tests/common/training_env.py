"""For test scripts that need the training stack (torch, transformers): runs the script again
under the training environment (~/.cache/flash/train-venv, or $FLASH_TRAIN_PYTHON) when the
current python lacks it, and exits 77 (ctest's "skipped") when there is none."""
import importlib.util
import os
import sys


def require_torch():
    if importlib.util.find_spec("torch") and importlib.util.find_spec("transformers"):
        return
    venv = os.environ.get("FLASH_TRAIN_PYTHON",
                          os.path.expanduser("~/.cache/flash/train-venv/bin/python"))
    # A venv's python is often a link to the system one: compare environments, not binaries.
    venv_prefix = os.path.dirname(os.path.dirname(os.path.abspath(venv)))
    if os.path.exists(venv) and os.path.abspath(sys.prefix) != venv_prefix:
        os.execv(venv, [venv] + sys.argv)
    print("skipped: torch and transformers are not installed (scripts/install_train.sh)")
    sys.exit(77)
