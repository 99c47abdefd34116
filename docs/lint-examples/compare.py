#!/usr/bin/env python3
"""Runs `retort lint` and squawk on the example revisions and prints the
Markdown comparison table used in docs/lint.md.

Usage (from the repository root):
    python3 docs/lint-examples/compare.py [RETORT] [SQUAWK]
"""
import json
import pathlib
import subprocess
import sys
from collections import defaultdict

here = pathlib.Path(__file__).resolve().parent
retort = sys.argv[1] if len(sys.argv) > 1 else "target/debug/retort"
squawk = sys.argv[2] if len(sys.argv) > 2 else "squawk"

out = subprocess.run(
    [retort, "-c", str(here / "retort.toml"), "--format", "json", "lint"],
    capture_output=True, text=True,
).stdout
report = json.loads(out)
ours = defaultdict(list)
for f in report["findings"] + report["allowed"]:
    tag = f["rule"] + " " + f["name"]
    if f in report["allowed"]:
        tag += " (allowed)"
    ours[(pathlib.Path(f["file"]).name, f["line"])].append(tag)

theirs = defaultdict(list)
statements = {}
for path in sorted((here / "versions").glob("*.sql")):
    text = path.read_text()
    args = [squawk, "--reporter", "json", "--pg-version", "13"]
    if "Transaction: false" not in text:
        args.append("--assume-in-transaction")
    res = subprocess.run(args + [str(path)], capture_output=True, text=True)
    for v in json.loads(res.stdout or "[]"):
        theirs[(path.name, v["line"] + 1)].append(v["rule_name"])
    upgrade = False
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() == "-- +upgrade":
            upgrade = True
        elif upgrade and line.strip() and not line.startswith("--"):
            statements[(path.name, n)] = line.strip()

print("| file:line | statement | retort | squawk |")
print("| --- | --- | --- | --- |")
for key in sorted(statements):
    r = ", ".join(ours.get(key, [])) or "—"
    s = ", ".join(sorted(set(theirs.get(key, [])))) or "—"
    print(f"| {key[0]}:{key[1]} | `{statements[key]}` | {r} | {s} |")
