#!/usr/bin/env python3
"""SmolLM2-135M-Instruct under a JSON Schema: 100 runs with different seeds (temperature
sampling), every output must validate with Python's `jsonschema`. The model comes from
$FLASH_SMOLLM2 (scripts/test.sh pulls it). Prints 'N passed, N failed' (runs) last."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from jsonschema import Draft202012Validator

SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 40},
        "age": {"type": "integer", "minimum": 0, "maximum": 120},
        "city": {"type": "string", "maxLength": 40},
        "hobbies": {"type": "array", "items": {"enum": ["reading", "chess", "hiking", "music"]}, "maxItems": 3},
        "member": {"type": "boolean"},
    },
    "required": ["name", "age", "hobbies"],
    "additionalProperties": False,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flash", required=True)
    ap.add_argument("--runs", type=int, default=100)
    args = ap.parse_args()
    model = os.environ.get("FLASH_SMOLLM2", "")
    if not model or not os.path.exists(model):
        print("FLASH_SMOLLM2 is not set to the pulled model (scripts/test.sh sets it); skipping")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "person.json")
        with open(path, "w") as f:
            json.dump(SCHEMA, f)
        for seed in range(1, args.runs + 1):
            proc = subprocess.run([args.flash, "run", "-m", model, "-t", "1", "--json-schema", path,
                                   "-p", "Describe a fictional person as JSON.", "-n", "200",
                                   "--temp", "0.9", "--seed", str(seed), "-q"], capture_output=True, text=True)
            try:
                if proc.returncode != 0:
                    raise ValueError(proc.stderr.strip())
                validator.validate(json.loads(proc.stdout))
                passed += 1
            except Exception as e:  # any failure is reported with the output
                failed += 1
                print(f"seed {seed}: {str(e).splitlines()[0] if str(e) else type(e).__name__}: {proc.stdout!r}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
