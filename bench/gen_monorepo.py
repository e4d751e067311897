#!/usr/bin/env python3
"""Deterministic generator of a large synthetic monorepo for orb-scan's benchmarks.

The tree is mostly source code and docs, a few percent unrelated JSON/YAML/TOML (some of which contain a
prefilter keyword without being a policy), and about 1% real files copied from the shared corpus: AWS
managed policies, CloudFormation templates and ORB config folders (copied whole, so configs keep the
template files beside them). A `.gitignore` hides `build/` folders that hold more JSON, as real
repositories do; the tree is a git repository so that ripgrep honours it too.

The same arguments and the same corpus give the same tree, byte for byte. Nothing is read from the
network. Prints a JSON manifest (counts per kind) on standard output.

    python3 bench/gen_monorepo.py --out /tmp/tree --files 100000 --folders 2000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

GENERATOR_VERSION = 1
SEED = 20261122

# Filler kinds: (weight, extension, generator). Weights are per mille of the filler files.
SOURCE_KINDS = [
    (160, "py"),
    (140, "ts"),
    (90, "js"),
    (90, "go"),
    (80, "rs"),
    (70, "java"),
    (40, "c"),
    (30, "h"),
    (20, "sh"),
]
DOC_KINDS = [(120, "md"), (30, "txt"), (20, "rst")]
ASSET_KINDS = [(25, "svg"), (15, "css"), (15, "html"), (10, "png")]
# Unrelated structured files (a few percent): never policies, templates or ORB files.
DATA_KINDS = [
    (12, "package.json"),
    (8, "tsconfig.json"),
    (6, "fixture.json"),
    (8, "compose.yaml"),
    (6, "workflow.yml"),
    (6, "k8s.yaml"),
    (4, "pyproject.toml"),
    # Contain a prefilter keyword ("Resources", "providers", "Statement") but are not ours.
    (2, "terraform-providers.json"),
    (2, "i18n-statement.json"),
    (2, "serverless.yml"),
]

WORDS = (
    "alpha beta gamma delta request response handler config value index buffer stream token "
    "parser render widget service client server cache queue worker event record schema field "
    "option result error status user account order invoice payment session route module"
).split()


def weighted(kinds):
    table = []
    for weight, name in kinds:
        table.extend([name] * weight)
    return table


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def ident(rng: random.Random) -> str:
    return rng.choice(WORDS) + "_" + rng.choice(WORDS)


def source_text(rng: random.Random, ext: str, lines: int) -> str:
    comment = {"py": "#", "sh": "#", "rs": "//", "go": "//", "ts": "//", "js": "//", "java": "//"}.get(ext, "//")
    out = [f"{comment} {words(rng, 8)}"]
    for i in range(lines):
        name = ident(rng)
        if ext == "py":
            out.append(f"def {name}_{i}(x):\n    return x + {rng.randint(0, 999)}  # {words(rng, 4)}")
        elif ext in ("c", "h"):
            out.append(f"static int {name}_{i}(int x) {{ return x * {rng.randint(0, 999)}; }}")
        elif ext == "sh":
            out.append(f'echo "{words(rng, 5)}" > /dev/null')
        else:
            out.append(f"function {name}_{i}(x) {{ return x + {rng.randint(0, 999)}; }} {comment} {words(rng, 3)}")
    return "\n".join(out) + "\n"


def doc_text(rng: random.Random, ext: str, paragraphs: int) -> str:
    title = words(rng, 3).title()
    out = [f"# {title}" if ext == "md" else title, ""]
    for _ in range(paragraphs):
        out.append(words(rng, rng.randint(20, 60)).capitalize() + ".")
        out.append("")
    return "\n".join(out)


def data_text(rng: random.Random, kind: str) -> str:
    name = ident(rng)
    if kind == "package.json":
        deps = {ident(rng): f"^{rng.randint(0, 9)}.{rng.randint(0, 20)}.0" for _ in range(rng.randint(2, 12))}
        return json.dumps({"name": name, "version": "1.0.0", "scripts": {"build": "tsc", "test": "jest"},
                           "dependencies": deps}, indent=2) + "\n"
    if kind == "tsconfig.json":
        return json.dumps({"compilerOptions": {"target": "es2022", "strict": True, "outDir": "dist"},
                           "include": ["src"]}, indent=2) + "\n"
    if kind == "fixture.json":
        return json.dumps([{"id": i, "name": ident(rng), "tags": [rng.choice(WORDS) for _ in range(3)]}
                           for i in range(rng.randint(3, 40))], indent=2) + "\n"
    if kind == "compose.yaml":
        return f"services:\n  {name}:\n    image: {name}:latest\n    ports:\n      - \"{rng.randint(1000, 9999)}:80\"\n"
    if kind == "workflow.yml":
        return f"name: {name}\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
    if kind == "k8s.yaml":
        return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 2\n"
                f"  template:\n    spec:\n      containers:\n        - name: app\n          resources:\n"
                f"            limits:\n              cpu: 500m\n")
    if kind == "pyproject.toml":
        return f'[project]\nname = "{name}"\nversion = "0.1.0"\ndependencies = ["requests"]\n'
    if kind == "terraform-providers.json":
        return json.dumps({"providers": {"aws": {"region": "us-east-1"}}, "resource": {}}, indent=2) + "\n"
    if kind == "i18n-statement.json":
        return json.dumps({"Statement": f"{words(rng, 6)}", "Summary": words(rng, 4)}, indent=2) + "\n"
    if kind == "serverless.yml":
        return f"service: {name}\nprovider:\n  name: aws\nResources:\n  Outputs: {{}}\n"
    raise ValueError(kind)


def asset_bytes(rng: random.Random, ext: str) -> bytes:
    if ext == "png":
        return b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(rng.randint(200, 2000)))
    if ext == "svg":
        return f'<svg xmlns="http://www.w3.org/2000/svg"><rect width="{rng.randint(1, 99)}"/></svg>\n'.encode()
    if ext == "css":
        return "".join(f".{ident(rng)} {{ margin: {rng.randint(0, 9)}px; }}\n" for _ in range(rng.randint(5, 60))).encode()
    return f"<html><body><p>{words(rng, rng.randint(20, 200))}</p></body></html>\n".encode()


def corpus_units(corpus: Path) -> list[list[Path]]:
    """Real files in copy units: ORB folders whole (configs need their template files), others alone."""
    units: list[list[Path]] = []
    orb_dirs: dict[Path, list[Path]] = {}
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        rel = path.relative_to(corpus)
        if rel.parts[0] == "orb":
            orb_dirs.setdefault(path.parent, []).append(path)
        elif rel.parts[0] in ("managed-policies", "cfn-templates"):
            units.append([path])
    units.extend(files for _, files in sorted(orb_dirs.items()))
    return units


def folder_names(n: int) -> list[str]:
    """`n` leaf folders, two levels deep, about 50 per parent: pkg000/mod00000 ..."""
    return [f"pkg{i // 50:03d}/mod{i:05d}" for i in range(n)]


def fingerprint(params: list, corpus_files: list[Path]) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([GENERATOR_VERSION, *params]).encode())
    h.update(Path(__file__).read_bytes())
    for p in corpus_files:
        h.update(str(p).encode())
        h.update(str(p.stat().st_size).encode())
    return h.hexdigest()


def generate(out: Path, files: int, folders: int, corpus: Path, seed: int = SEED, real_share: float = 0.01,
             real_files: int | None = None) -> dict:
    """Creates the tree at `out` (or reuses it when made with the same inputs) and returns its manifest."""
    corpus = Path(corpus).resolve()
    out = Path(out)
    units = corpus_units(corpus)
    if not units:
        sys.exit(f"gen_monorepo: no corpus files under {corpus}")
    stamp = out.with_name(out.name + ".manifest.json")
    key = fingerprint([files, folders, seed, real_share, real_files], [f for u in units for f in u])
    if stamp.exists() and out.is_dir():
        manifest = json.loads(stamp.read_text())
        if manifest.get("fingerprint") == key:
            manifest["reused"] = True
            return manifest
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    rng = random.Random(seed)
    names = folder_names(folders)
    real_target = real_files if real_files is not None else round(files * real_share)
    counts = {"source": 0, "doc": 0, "asset": 0, "data": 0, "ignored": 0, "real": 0,
              "real_policies": 0, "real_cfn": 0, "real_orb": 0, "folders": len(names)}

    # Real files first, unit by unit, cycling through a seeded shuffle of the corpus.
    order = list(range(len(units)))
    rng.shuffle(order)
    copies = 0
    while counts["real"] < real_target:
        unit = units[order[copies % len(order)]]
        folder = out / names[rng.randrange(len(names))]
        kind = unit[0].relative_to(corpus).parts[0]
        dest = folder / f"deploy-{copies}" if kind == "orb" else folder
        dest.mkdir(parents=True, exist_ok=True)
        for src in unit:
            target = dest / src.name
            if target.exists():
                target = dest / f"{copies}-{src.name}"
            shutil.copyfile(src, target)
            counts["real"] += 1
            counts[{"managed-policies": "real_policies", "cfn-templates": "real_cfn", "orb": "real_orb"}[kind]] += 1
        copies += 1

    # Filler: sources, docs, assets, unrelated data, and ignored build output.
    filler = files - counts["real"]
    source_t, doc_t, asset_t, data_t = (weighted(k) for k in (SOURCE_KINDS, DOC_KINDS, ASSET_KINDS, DATA_KINDS))
    # Pools of bodies keep generation fast; the walk and the prefilter do not care that texts repeat.
    pools: dict[str, list] = {}

    def pooled(kind: str, make):
        pool = pools.setdefault(kind, [])
        if len(pool) < 24:
            pool.append(make())
        return rng.choice(pool)

    for i in range(filler):
        folder = out / names[i % len(names)]
        roll = rng.random()
        if roll < 0.02:
            path = folder / "build" / f"out{i}.json"
            body = pooled("ignored", lambda: data_text(rng, "fixture.json"))
            counts["ignored"] += 1
        elif roll < 0.07:
            kind = rng.choice(data_t)
            path = folder / f"{i}-{kind}"
            body = pooled(kind, lambda: data_text(rng, kind))
            counts["data"] += 1
        elif roll < 0.12:
            ext = rng.choice(asset_t)
            path = folder / f"asset{i}.{ext}"
            body = pooled(ext, lambda: asset_bytes(rng, ext))
            counts["asset"] += 1
        elif roll < 0.30:
            ext = rng.choice(doc_t)
            path = folder / f"doc{i}.{ext}"
            body = pooled(ext, lambda: doc_text(rng, ext, rng.randint(2, 12)))
            counts["doc"] += 1
        else:
            ext = rng.choice(source_t)
            path = folder / f"src{i}.{ext}"
            body = pooled(ext, lambda: source_text(rng, ext, rng.randint(5, 80)))
            counts["source"] += 1
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body if isinstance(body, bytes) else body.encode())

    (out / ".gitignore").write_text("build/\nnode_modules/\n*.log\n")
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(out)], check=True)
    else:
        (out / ".git").mkdir()
    counts["files"] = sum(counts[k] for k in ("source", "doc", "asset", "data", "ignored", "real"))
    manifest = {"fingerprint": key, "out": str(out), "seed": seed, "counts": counts, "reused": False}
    stamp.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv=None) -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="folder to create (replaced if it exists and differs)")
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--folders", type=int, default=2_000)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--real-share", type=float, default=0.01, help="share of files copied from the corpus")
    ap.add_argument("--real-files", type=int, default=None, help="exact number of corpus files (overrides --real-share)")
    ap.add_argument("--corpus", default=os.environ.get("ORB_SCAN_CORPUS", str(here.parent.parent / "shared" / "corpus")))
    args = ap.parse_args(argv)
    manifest = generate(Path(args.out), args.files, args.folders, Path(args.corpus), args.seed, args.real_share,
                        args.real_files)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
