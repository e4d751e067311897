#!/usr/bin/env python3
"""Check that imports inside the library go one way, along the pipeline (DESIGN.md §1).

Reads every module under src/ (the library crate: src/main.rs is the binary, which sees the library
through `orb_scan::` and is left out), collects every path that names a module of the crate (`use
crate::…`, grouped `use crate::{a, b::c}`, `use super::…`, inline `crate::x::y`, and names brought in
by an earlier `use` of a module), and builds the module import graph. Comments, strings and
character literals are skipped, so a doc link or a message naming a path is not an import.

It fails when
  - an import loop (a strongly connected component of the graph) spans more than one top-level folder
    (`src/x.rs` and `src/x/` are one folder, `x`), or
  - with a layer table (scripts/layers.toml; `--layers`), a module imports a module of a higher layer,
    or a module belongs to no layer. The table may allow named imports against the order, each with
    its reason (they leave the graph, and are listed); an allowance that matches no import fails.

Each failure names the file and line of the import. Python 3.11, standard library only.

    python3 scripts/check-layers.py              # the check CI runs
    python3 scripts/check-layers.py --loops      # also list every loop, even within one folder
    python3 scripts/check-layers.py --no-layers  # loops only
    python3 scripts/check-layers.py --edges      # print the module graph (file:line module -> module)
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

Module = tuple[str, ...]  # () is the crate root (src/lib.rs)


# ---------------------------------------------------------------------------------------------
# Lexing: identifiers, `::` and the punctuation a path or a `use` tree is made of, with lines.


@dataclass(frozen=True)
class Token:
    text: str
    line: int


def tokens(source: str) -> list[Token]:
    """The tokens that matter for paths; comments, strings and char literals are dropped."""
    out: list[Token] = []
    i, line, n = 0, 1, len(source)
    while i < n:
        c = source[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
        elif source.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if source.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif source.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    line += source[i] == "\n"
                    i += 1
        elif c in "rb" and _raw_string_at(source, i):
            j = i + (2 if source.startswith("br", i) else 1)
            hashes = 0
            while source[j] == "#":
                hashes, j = hashes + 1, j + 1
            close = '"' + "#" * hashes
            end = source.find(close, j + 1)
            end = n if end < 0 else end + len(close)
            line += source.count("\n", i, end)
            i = end
        elif c == '"' or (c == "b" and source.startswith('b"', i)):
            i += 1 if c == '"' else 2
            while i < n and source[i] != '"':
                if source[i] == "\\":
                    i += 1
                line += i < n and source[i] == "\n"
                i += 1
            i += 1
        elif c == "'" or (c == "b" and source.startswith("b'", i)):
            i = _skip_char_or_lifetime(source, i + (1 if c == "'" else 2))
        elif c.isalpha() or c == "_":
            j = i + 1
            while j < n and (source[j].isalnum() or source[j] == "_"):
                j += 1
            out.append(Token(source[i:j], line))
            i = j
        elif source.startswith("::", i):
            out.append(Token("::", line))
            i += 2
        elif c == "$" and source.startswith("$crate", i):
            out.append(Token("crate", line))
            i += len("$crate")
        else:
            out.append(Token(c, line))
            i += 1
    return out


def _raw_string_at(source: str, i: int) -> bool:
    if i > 0 and (source[i - 1].isalnum() or source[i - 1] == "_"):
        return False
    j = i + (2 if source.startswith("br", i) else 1)
    if not source.startswith("r", i) and not source.startswith("br", i):
        return False
    while j < len(source) and source[j] == "#":
        j += 1
    return j < len(source) and source[j] == '"'


def _skip_char_or_lifetime(source: str, i: int) -> int:
    """After an opening `'`: skip a char literal ('x', '\\n', '\\u{..}') or a lifetime ('a)."""
    if i < len(source) and source[i] == "\\":
        end = source.find("'", i + 2)
        return len(source) if end < 0 else end + 1
    if i + 1 < len(source) and source[i + 1] == "'":
        return i + 2
    return i  # a lifetime or label: its name lexes as an identifier, harmlessly


# ---------------------------------------------------------------------------------------------
# Modules and the paths that name them.


def discover(src: Path) -> dict[Module, Path]:
    """Every module file of the library crate under src/, by module path."""
    modules: dict[Module, Path] = {}
    for path in sorted(src.rglob("*.rs")):
        rel = path.relative_to(src)
        parts = rel.with_suffix("").parts
        if rel.parts[0] in ("main.rs", "bin"):
            continue
        if parts == ("lib",):
            modules[()] = path
        elif parts[-1] == "mod":
            modules[parts[:-1]] = path
        else:
            modules[parts] = path
    return modules


@dataclass
class Import:
    source: Module
    target: Module
    file: Path
    line: int
    path: str  # the path as written, for messages


@dataclass
class FileScan:
    module: Module
    file: Path
    known: set[Module]
    imports: list[Import] = field(default_factory=list)
    aliases: dict[str, Module] = field(default_factory=dict)

    def resolve(self, scope: Module, segments: list[str]) -> Module | None:
        """The crate module a path names (the longest known prefix), or None for other crates."""
        first, rest = segments[0], segments[1:]
        if first == "crate":
            absolute = list(rest)
        elif first in ("self", "super"):
            base = list(scope)
            while segments and segments[0] in ("self", "super"):
                if segments[0] == "super":
                    if not base:
                        return None
                    base.pop()
                segments = segments[1:]
            absolute = base + segments
        elif scope + (first,) in self.known:
            absolute = list(scope) + segments
        elif first in self.aliases:
            absolute = list(self.aliases[first]) + rest
        else:
            return None
        for k in range(len(absolute), -1, -1):
            if tuple(absolute[:k]) in self.known:
                return tuple(absolute[:k])
        return None

    def record(self, scope: Module, segments: list[str], line: int, alias: str | None) -> None:
        target = self.resolve(scope, segments)
        if target is None:
            return
        if alias and target != () and self._names_module(scope, segments):
            self.aliases[alias] = target
        if target != self.module:
            self.imports.append(Import(self.module, target, self.file, line, "::".join(segments)))

    def _names_module(self, scope: Module, segments: list[str]) -> bool:
        """Does the whole path name a module (so `use` brings a module name into scope)?"""
        target = self.resolve(scope, segments)
        tail = segments[-1]
        return target is not None and (target[-1:] == (tail,) or tail in ("self", "super", "crate"))


def scan_file(module: Module, file: Path, known: set[Module]) -> FileScan:
    scan = FileScan(module, file, known)
    toks = tokens(file.read_text(encoding="utf-8"))
    # Inline `mod name { … }` blocks change what `super` and `self` mean.
    scopes: list[tuple[int, Module]] = []  # (brace depth at which the block closes, module)
    depth = 0
    i = 0
    while i < len(toks):
        t = toks[i].text
        scope = scopes[-1][1] if scopes else module
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if scopes and scopes[-1][0] == depth:
                scopes.pop()
        elif t == "mod" and i + 2 < len(toks) and toks[i + 2].text == "{":
            scopes.append((depth, scope + (toks[i + 1].text,)))
        elif t == "use" and (i == 0 or toks[i - 1].text not in ("::",)):
            end = i + 1
            while end < len(toks) and toks[end].text != ";":
                end += 1
            for segments, line, alias in use_tree(toks[i + 1 : end]):
                scan.record(scope, segments, line, alias)
            i = end
        elif _starts_path(toks, i):
            segments, line = [t], toks[i].line
            j = i + 1
            while j + 1 < len(toks) and toks[j].text == "::" and _is_ident(toks[j + 1].text):
                segments.append(toks[j + 1].text)
                j += 2
            if not (t == "crate" and len(segments) == 1):
                scan.record(scope, segments, line, None)
            i = j
            continue
        i += 1
    return scan


def _is_ident(text: str) -> bool:
    return text[:1].isalpha() or text[:1] == "_"


def _starts_path(toks: list[Token], i: int) -> bool:
    t = toks[i].text
    if not _is_ident(t) or (i > 0 and toks[i - 1].text == "::"):
        return False
    if i > 0 and toks[i - 1].text == "in" and t == "crate":  # pub(in crate::x) is visibility
        return False
    return i + 1 < len(toks) and toks[i + 1].text == "::"


def use_tree(toks: list[Token]) -> list[tuple[list[str], int, str | None]]:
    """The leaves of a `use` tree: (path segments, line, local name or None for `*`)."""
    leaves: list[tuple[list[str], int, str | None]] = []

    def walk(pos: int, prefix: list[str]) -> int:
        segments = list(prefix)
        line = toks[pos].line if pos < len(toks) else 0
        while pos < len(toks):
            t = toks[pos].text
            if t == "::":
                pos += 1
            elif t == "{":
                pos += 1
                while pos < len(toks) and toks[pos].text != "}":
                    if toks[pos].text == ",":
                        pos += 1
                        continue
                    pos = walk(pos, segments)
                return pos + 1
            elif t == "*":
                leaves.append((segments, toks[pos].line, None))
                return pos + 1
            elif _is_ident(t):
                line = toks[pos].line
                if t == "self" and segments:
                    pos += 1
                    alias = segments[-1]
                else:
                    segments.append(t)
                    pos += 1
                    alias = t
                if pos < len(toks) and toks[pos].text == "as":
                    alias = toks[pos + 1].text
                    pos += 2
                if pos < len(toks) and toks[pos].text == "::":
                    continue
                leaves.append((segments, line, alias))
                return pos
            else:
                return pos + 1
        if segments != prefix:
            leaves.append((segments, line, segments[-1]))
        return pos

    pos = 0
    while pos < len(toks):
        pos = walk(pos, [])
    return [leaf for leaf in leaves if leaf[0]]


def import_graph(src: Path) -> tuple[dict[Module, Path], list[Import]]:
    modules = discover(src)
    known = set(modules)
    imports: list[Import] = []
    seen: set[tuple[Module, Module, int]] = set()
    for module, file in sorted(modules.items()):
        for imp in scan_file(module, file, known).imports:
            if (imp.source, imp.target, imp.line) not in seen:  # `crate::M::x(crate::M::y)`: once
                seen.add((imp.source, imp.target, imp.line))
                imports.append(imp)
    return modules, imports


# ---------------------------------------------------------------------------------------------
# Loops and layers.


def strongly_connected(nodes: list[Module], edges: dict[Module, set[Module]]) -> list[list[Module]]:
    """Tarjan's algorithm, iterative; components of more than one module, each sorted."""
    index: dict[Module, int] = {}
    low: dict[Module, int] = {}
    on_stack: set[Module] = set()
    stack: list[Module] = []
    found: list[list[Module]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found, key=lambda c: (-len(c), c))


def folder(module: Module) -> str:
    return module[0] if module else "lib.rs"


def name(module: Module) -> str:
    return "::".join(module) if module else "crate (lib.rs)"


@dataclass
class Allowance:
    """An import the table accepts against the order, with the reason."""

    module: Module
    imports: Module
    why: str


def _module(text: str) -> Module:
    return () if text == "crate" else tuple(text.split("::"))


@dataclass
class Layers:
    names: list[str]
    owners: list[tuple[Module, int]]  # module prefix -> layer rank, longest prefix wins
    allowed: list[Allowance] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Layers:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        names, owners = [], []
        for rank, layer in enumerate(data["layer"]):
            names.append(layer["name"])
            for m in layer["modules"]:
                owners.append((_module(m), rank))
        allowed = [Allowance(_module(a["module"]), _module(a["imports"]), a["why"]) for a in data.get("allow", [])]
        return cls(names, owners, allowed)

    def allows(self, imp: Import) -> Allowance | None:
        return next((a for a in self.allowed if (a.module, a.imports) == (imp.source, imp.target)), None)

    def rank(self, module: Module) -> int | None:
        best: tuple[int, int] | None = None
        for prefix, rank in self.owners:
            if module[: len(prefix)] == prefix and (prefix or not module):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), rank)
        return None if best is None else best[1]


def shortest_cycle_edges(component: list[Module], imports: list[Import]) -> list[Import]:
    """One import per crossing between folders inside a loop, to point at where to cut."""
    inside = set(component)
    crossing: dict[tuple[str, str], Import] = {}
    for imp in imports:
        if imp.source in inside and imp.target in inside and folder(imp.source) != folder(imp.target):
            crossing.setdefault((folder(imp.source), folder(imp.target)), imp)
    return [crossing[k] for k in sorted(crossing)]


def check(src: Path, layers: Layers | None, show_all_loops: bool, out) -> int:
    modules, imports = import_graph(src)
    root = src.parent
    failures = 0
    if layers is not None:
        for allowance in layers.allowed:
            used = [i for i in imports if layers.allows(i) is allowance]
            if not used:
                failures += 1
                print(
                    f"error: the layer table allows {name(allowance.module)} to import "
                    f"{name(allowance.imports)}, which it does not",
                    file=out,
                )
            for imp in used:
                print(
                    f"allowed: {imp.file.relative_to(root)}:{imp.line}: {name(imp.source)} -> "
                    f"{name(imp.target)} ({allowance.why})",
                    file=out,
                )
        imports = [i for i in imports if layers.allows(i) is None]
    edges: dict[Module, set[Module]] = {}
    for imp in imports:
        edges.setdefault(imp.source, set()).add(imp.target)
    components = strongly_connected(sorted(modules), edges)

    def where(imp: Import) -> str:
        return f"{imp.file.relative_to(root)}:{imp.line}"

    print(f"{len(modules)} modules, {len(imports)} imports between modules", file=out)
    for component in components:
        folders = sorted({folder(m) for m in component})
        spans = len(folders) > 1
        if not spans and not show_all_loops:
            continue
        failures += spans
        verdict = "error" if spans else "ok"
        print(
            f"{verdict}: import loop of {len(component)} modules across {len(folders)} "
            f"folder{'s' if len(folders) > 1 else ''} ({', '.join(folders)})",
            file=out,
        )
        if show_all_loops or len(component) <= 12:
            print(f"  modules: {', '.join(name(m) for m in component)}", file=out)
        for imp in shortest_cycle_edges(component, imports):
            print(f"  {where(imp)}: {name(imp.source)} -> {name(imp.target)} ({imp.path})", file=out)
    if not any(len({folder(m) for m in c}) > 1 for c in components):
        print("no import loop spans more than one folder", file=out)

    if layers is not None:
        for prefix, _ in layers.owners:
            if not any(m[: len(prefix)] == prefix for m in modules):
                failures += 1
                print(f"error: the layer table names {name(prefix)}, which is no module", file=out)
        for module in sorted(modules):
            if layers.rank(module) is None:
                failures += 1
                print(
                    f"error: {modules[module].relative_to(root)}: module {name(module)} is in no layer "
                    f"(add it to the layer table)",
                    file=out,
                )
        upward = 0
        for imp in sorted(imports, key=lambda m: (str(m.file), m.line)):
            low, high = layers.rank(imp.source), layers.rank(imp.target)
            if low is not None and high is not None and high > low:
                upward += 1
                print(
                    f"error: {where(imp)}: {name(imp.source)} (layer {layers.names[low]}) imports "
                    f"{name(imp.target)} (layer {layers.names[high]}, higher): `{imp.path}`",
                    file=out,
                )
        failures += upward
        if not upward:
            print(f"layers in order: {' < '.join(layers.names)}", file=out)
    return failures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = Path(__file__).resolve().parent
    parser.add_argument("--src", type=Path, default=here.parent / "src")
    parser.add_argument("--layers", type=Path, default=here / "layers.toml")
    parser.add_argument("--no-layers", action="store_true", help="check loops only")
    parser.add_argument("--loops", action="store_true", help="list loops within one folder too")
    parser.add_argument("--edges", action="store_true", help="print every import and exit")
    args = parser.parse_args(argv)
    if args.edges:
        modules, imports = import_graph(args.src)
        for imp in imports:
            where = f"{imp.file.relative_to(args.src.parent)}:{imp.line}"
            print(f"{where} {name(imp.source)} -> {name(imp.target)}")
        return 0
    layers = None if args.no_layers else Layers.load(args.layers)
    failures = check(args.src, layers, args.loops, sys.stdout)
    if failures:
        print(f"{failures} layering error{'s' if failures > 1 else ''}", file=sys.stdout)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
