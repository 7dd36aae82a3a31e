#!/usr/bin/env python3
"""The NVIDIA recipe (deploy/nvidia/) as far as a machine without a GPU can take it:
`systemd-analyze verify` on vllm.service; its ExecStartPre line, run with the built flash in a
scratch state directory, converts the GGUF file to a BF16 Hugging Face checkpoint, leaves it
alone on the next start and converts again once the GGUF file is newer; the `vllm serve` flags
of its ExecStart equal the cloud recipe's vLLM overlay, so the two cannot drift. vLLM, the GPU
and systemd running the unit are not tested (none here).

Usage: nvidia_test.py --flash BIN --model-env FLASH_SMOLLM2
Exit status 0 when every check passed, 1 when one failed, 77 (skipped) when the model variable
is not set."""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from recipe_checks import (finish, keep_or_remove, recipe_args, record, unit_service_section,
                           verify_unit)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNIT = os.path.join(ROOT, "deploy", "nvidia", "vllm.service")
OVERLAY = os.path.join(ROOT, "deploy", "cloud", "overlays", "vllm", "deployment-vllm.yaml")
STATE = "/var/lib/flash-vllm"


def run_pre(exec_start_pre, flash, state):
    """The ExecStartPre line as systemd runs it: in WorkingDirectory, flash swapped in."""
    argv = shlex.split(exec_start_pre.replace("/usr/local/bin/flash", flash))
    return subprocess.run(argv, cwd=state, capture_output=True, text=True, timeout=300)


def vllm_flags(argv):
    """{flag: value or True} of a `vllm serve MODEL ...` argument list, without the model."""
    flags, i = {}, 0
    while i < len(argv):
        if argv[i].startswith("--"):
            if i + 1 < len(argv) and not argv[i + 1].startswith("--"):
                flags[argv[i]] = argv[i + 1]
                i += 2
                continue
            flags[argv[i]] = True
        i += 1
    return flags


def main():
    flash, model = recipe_args(__doc__)
    if not flash:
        return 77
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="flash-nvidia-")
    try:
        verify_unit(UNIT, {"/usr/local/bin/flash": flash, "/opt/vllm/bin/vllm": "/bin/true"}, tmp)
        unit = unit_service_section(UNIT)
        record("unit: dynamic user, state directory, restart, strict file system",
               unit.get("DynamicUser") == ["yes"] and unit.get("StateDirectory") == ["flash-vllm"]
               and unit.get("WorkingDirectory") == [STATE] and unit.get("Restart") ==
               ["on-failure"] and unit.get("ProtectSystem") == ["strict"]
               and "MemoryDenyWriteExecute" not in unit and "PrivateDevices" not in unit,
               str(unit))

        state = os.path.join(tmp, "state")
        os.makedirs(state)
        shutil.copy(model, os.path.join(state, "model.gguf"))
        (pre,) = unit["ExecStartPre"]
        p = run_pre(pre, flash, state)
        config_path = os.path.join(state, "hf", "config.json")
        files = set(os.listdir(os.path.join(state, "hf"))) if os.path.isdir(
            os.path.join(state, "hf")) else set()
        config = json.load(open(config_path)) if os.path.isfile(config_path) else {}
        record("first start: the GGUF file becomes a BF16 checkpoint",
               p.returncode == 0 and {"config.json", "model.safetensors", "tokenizer.json",
                                      "tokenizer_config.json"} <= files
               and config.get("torch_dtype") == "bfloat16",
               f"exit {p.returncode} {p.stderr[-300:]} files {sorted(files)}")
        weights = os.path.join(state, "hf", "model.safetensors")
        if os.path.isfile(weights):
            before = os.stat(weights).st_mtime_ns
            p = run_pre(pre, flash, state)
            record("next start: the checkpoint is newer, nothing is converted",
                   p.returncode == 0 and os.stat(weights).st_mtime_ns == before, p.stderr[-300:])
            # A new model copied in: newer than the checkpoint.
            later = time.time() + 5
            os.utime(os.path.join(state, "model.gguf"), (later, later))
            p = run_pre(pre, flash, state)
            record("a newer GGUF file is converted again",
                   p.returncode == 0 and os.stat(weights).st_mtime_ns != before, p.stderr[-300:])

        (exec_start,) = unit["ExecStart"]
        argv = shlex.split(exec_start)
        record("ExecStart serves the converted checkpoint in the state directory",
               argv[:3] == ["/opt/vllm/bin/vllm", "serve", f"{STATE}/hf"], exec_start)
        import yaml
        with open(OVERLAY) as f:
            overlay = yaml.safe_load(f)
        container = overlay["spec"]["template"]["spec"]["containers"][0]
        unit_flags, overlay_flags = vllm_flags(argv[3:]), vllm_flags(container["args"][1:])
        record("the vllm serve flags equal the cloud overlay's (host aside)",
               {k: v for k, v in unit_flags.items() if k != "--host"} ==
               {k: v for k, v in overlay_flags.items() if k != "--host"}
               and unit_flags.get("--host") == "127.0.0.1",
               f"unit {unit_flags} overlay {overlay_flags}")
    finally:
        keep_or_remove(tmp)
    return finish(started)


if __name__ == "__main__":
    sys.exit(main())
