#!/usr/bin/env python3
"""The last table of `make bench`: every figure of issue 18 beside its goal.

    python3 tools/bench_goals.py SUMMARY.jsonl

Each benchmark script appends JSON lines to the file named by $BENCH_SUMMARY (make bench sets it
to .build/bench-summary.jsonl and empties it first):

    {"figure": "serve: prose edit to page", "value": "0.21 s (worst 0.30)", "goal": "<= 0.5 s",
     "met": true, "load": "3.1 -> 3.4"}

"met" is true, false or null (a figure without a goal of its own). A goal no script reported on is
listed as not measured, so a missing benchmark shows. Asserts nothing; exits 0.
"""
import json
import os
import sys

# The goals in its order, and the figure prefixes that report on each.
GOALS = [
    ("1. make test on a clean clone", "<= 150 s", ["make test"]),
    ("2. cold course verify, default build", "<= 10 s", ["cold verify", "site build, cold"]),
    ("3. REPL per input (median of 20)", "<= 0.25 s", ["repl"]),
    ("4. H1 fwd+bwd / PyTorch MKL's 3 GEMMs", "<= 1.15x", ["H1/fwdbwd"]),
    ("5. T2 speed-up over PyTorch, every round", ">= 4x", ["T2-arcface"]),
    ("6. serve: prose edit / one-cell edit", "<= 0.5 s / <= 1.5 s", ["serve"]),
]


def main():
    rows = []
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BENCH_SUMMARY", "")
    if path and os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    print("\nIssue 18's goals (figures measured above; the machine may be shared: see each load average)")
    for goal, target, prefixes in GOALS:
        print(f"{goal}  (goal {target})")
        mine = [r for r in rows if any(r.get("figure", "").startswith(p) for p in prefixes)]
        if not mine:
            print("     -    not measured in this run")
        for r in mine:
            met = {True: "yes", False: "NO", None: "-"}[r.get("met")]
            goal_text = f" [{r['goal']}]" if r.get("goal") and r.get("goal") != "-" else ""
            print(f"     {met:<4} {r['figure']}: {r['value']}{goal_text}; load {r.get('load', '?')}")
    other = [r for r in rows if not any(r.get("figure", "").startswith(p) for _, _, ps in GOALS for p in ps)]
    if other:
        print("other figures")
        for r in other:
            print(f"     -    {r['figure']}: {r['value']}; load {r.get('load', '?')}")

if __name__ == "__main__":
    main()
