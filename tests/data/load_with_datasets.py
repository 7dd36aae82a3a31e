"""The built dataset loads unchanged with Hugging Face `datasets` and matches its manifest.

The default build (flash data build, about 22,000 rows whose tool schemas all differ) and the
published sample go through load_dataset("json", data_dir=...),
as the card's front matter configures it; every split has the rows the manifest counts, every
row the same columns, and messages and tools come back as the structures TRL's SFT trainer
reads. The source documents and catalogue also pass their own checkers.

Usage: load_with_datasets.py --flash BIN
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "serve"))
from server_harness import Checks  # noqa: E402
SOURCES = os.path.join(HERE, "..", "..", "data", "train", "sources")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flash", required=True)
    args = ap.parse_args()
    import datasets  # installed by scripts/test.sh

    for checker in ("check_documents.py", "check_tools_catalog.py"):
        subprocess.run([sys.executable, os.path.join(SOURCES, checker)], check=True,
                       stdout=subprocess.DEVNULL)
    check = Checks()

    with tempfile.TemporaryDirectory() as out:
        subprocess.run([args.flash, "data", "build", "--out", out, "--size", "default"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        manifest = json.load(open(os.path.join(out, "manifest.json")))
        files = {"train": "train.jsonl", "validation": "valid.jsonl", "test": "test.jsonl"}
        # Empty splits are left out, as the Hub's loader would fail on a file with no rows.
        present = {k: os.path.join(out, v) for k, v in files.items()
                   if os.path.getsize(os.path.join(out, v)) > 0}
        ds = datasets.load_dataset("json", data_files=present)
        for split in present:
            check(ds[split].num_rows == manifest["splits"][split],
                  f"{split}: {ds[split].num_rows} rows, manifest says {manifest['splits'][split]}")
        train = ds["train"]
        check(set(train.column_names) == {"id", "family", "kind", "source", "messages", "tools",
                                          "checks", "verifier"},
              f"columns: {train.column_names}")
        families = set(train["family"])
        check(families == {"grounded", "tools", "instruct"}, f"families: {families}")
        for row in train:
            roles = [m["role"] for m in row["messages"]]
            check(roles[-1] == "assistant", f"{row['id']}: last role {roles[-1]}")
            if row["family"] == "tools" and row["kind"] in ("single", "multiple", "parallel"):
                calls = row["messages"][-1]["tool_calls"]
                check(calls and all(json.loads(c["function"]["arguments"]) is not None
                                    for c in calls), f"{row['id']}: calls {calls}")
                check(len(json.loads(row["tools"])) >= 1, f"{row['id']}: no tools")
        # The data_dir form the card documents loads too, and so does the published sample.
        if len(present) == len(files):
            datasets.load_dataset("json", data_dir=out)
        sample = datasets.load_dataset(
            "json", data_files=os.path.join(HERE, "..", "..", "data", "train", "sample.jsonl"))
        check(sample["train"].num_rows == 300, f"sample: {sample['train'].num_rows} rows")
    print(f"{len(check.failures)} failures")
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
