#!/usr/bin/env python3
"""Builds tiny local wheels for flash's pip-fetch tests (no network: pip is pointed at the
output folder with PIP_NO_INDEX=1 and PIP_FIND_LINKS).

usage: make_wheels.py OUT_DIR
Writes to OUT_DIR:
  fakemodel-0.1.0-py3-none-any.whl   holds fakemodel/model.gguf
  fakeasm-0.1.0-py3-none-any.whl     module fakeasm with assemble(), needs the two parts below
  fakeasm_part1-0.1.0-...whl, fakeasm_part2-0.1.0-...whl  the halves of the assembled file
  hashes.txt                         "NAME SHA256" for model.gguf and the assembled file
"""
import base64
import hashlib
import os
import sys
import zipfile

ASSEMBLE = '''
from importlib import import_module
from importlib.resources import files
from pathlib import Path

def assemble(output_path, overwrite=False):
    out = Path(output_path)
    with out.open("wb") as f:
        for mod in ("fakeasm_part1", "fakeasm_part2"):
            m = import_module(mod)
            f.write(Path(files(m.__name__).joinpath("data")).joinpath("chunk").read_bytes())
    return out
'''


def wheel(out_dir, dist, version, files, requires=()):
    norm = dist.replace("-", "_")
    info = "%s-%s.dist-info" % (norm, version)
    files = dict(files)
    meta = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (dist, version)
    meta += "".join("Requires-Dist: %s\n" % r for r in requires)
    files[info + "/METADATA"] = meta.encode()
    files[info + "/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: flash-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    record = ""
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record += "%s,sha256=%s,%d\n" % (path, digest, len(data))
    record += info + "/RECORD,,\n"
    files[info + "/RECORD"] = record.encode()
    name = os.path.join(out_dir, "%s-%s-py3-none-any.whl" % (norm, version))
    with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            z.writestr(path, data)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    model = b"GGUF" + bytes((i * 7 + (i >> 8)) & 255 for i in range(200000))
    wheel(out, "fakemodel", "0.1.0", {"fakemodel/__init__.py": b"", "fakemodel/model.gguf": model})
    half1 = b"GGUF" + bytes((i * 13) & 255 for i in range(50000))
    half2 = bytes((i * 17 + 3) & 255 for i in range(60000))
    for n, chunk in (("1", half1), ("2", half2)):
        wheel(out, "fakeasm-part" + n, "0.1.0",
              {"fakeasm_part%s/__init__.py" % n: b"", "fakeasm_part%s/data/chunk" % n: chunk})
    wheel(out, "fakeasm", "0.1.0", {"fakeasm/__init__.py": ASSEMBLE.encode()},
          requires=("fakeasm-part1==0.1.0", "fakeasm-part2==0.1.0"))
    with open(os.path.join(out, "hashes.txt"), "w") as f:
        f.write("model.gguf %s\n" % hashlib.sha256(model).hexdigest())
        f.write("assembled.gguf %s\n" % hashlib.sha256(half1 + half2).hexdigest())


if __name__ == "__main__":
    main()
