#!/usr/bin/env python3
"""Writes the seed corpora Fuzz/Corpus/<target>/ from the shipped lessons, the test fixtures and
the parity reference file. Run from the repository root; the output is committed (small files)."""
import glob, hashlib, json, os, re, struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fuzz", "Corpus")

def write(target, data, name=None):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def read(p):
    with open(os.path.join(ROOT, p), "rb") as f:
        return f.read()

lessons = sorted(glob.glob("lessons/*.md", root_dir=ROOT))
fixtures = sorted(glob.glob("Tests/LessonKitTests/Fixtures/**/*.md", root_dir=ROOT, recursive=True))

# lesson: whole files (shipped lessons, basics and broken fixtures).
for p in lessons + fixtures:
    write("lesson", read(p), os.path.basename(os.path.dirname(p)) + "-" + os.path.basename(p))

# frontmatter: each file's front matter block plus a few lines after it, and edge cases.
for p in lessons + fixtures:
    text = read(p).decode("utf-8", "replace")
    m = re.match(r"(---\n(?:.*\n)*?---\n(?:.*\n){0,3})", text)
    if m:
        write("frontmatter", m.group(1))
for s in ["---\ntitle: x\n", "---\n---\n", "---\ntimeout: 1e6\ncell_timeout: 0.5\n---\n",
          "---\ntimeout: nan\ncell_timeout: -1\nraw_html: maybe\n---\n", "---\ntitle: 'a'\ntitle: b\n# c\nno colon\n---\n",
          " --- \r\ninputs: a, b,, c\r\n---\r\n", "\ufeff---\ninputs:\n---\nbody\n"]:
    write("frontmatter", s)

# tex: every formula of the lessons (first byte: 1 = display).
formulas = set()
for p in lessons + fixtures:
    text = read(p).decode("utf-8", "replace")
    for m in re.finditer(r"\$\$(.+?)\$\$", text, re.S):
        formulas.add((1, m.group(1)))
    for m in re.finditer(r"(?<!\$)\$([^$\n]+?)\$(?!\$)", text):
        formulas.add((0, m.group(1)))
for display, tex in sorted(formulas):
    write("tex", bytes([display]) + tex.encode())

# compare: output blocks against themselves and a perturbed copy (mode byte, expected, NUL, actual).
blocks = []
for p in lessons + fixtures:
    text = read(p).decode("utf-8", "replace")
    blocks += re.findall(r"```output[^\n]*\n(.*?)```", text, re.S)
for b in sorted(set(blocks))[:60]:
    perturbed = re.sub(r"\d(?=\D*$)", "7", b, count=1)
    write("compare", b"\x00" + b.encode() + b"\x00" + perturbed.encode())
for mode, e, a in [(0, "0.4558", "0.45581"), (1, "1e-3 nan inf", "0.001 nan inf"), (2, "x = -1.5e-308", "x = -1.5e-308"),
                   (3, "tensor([[0.2673, 0.5345],", "tensor([[0.2672, 0.5346],"), (0, "1.", "1"), (0, "1.5e-9223372036854775808", "1.5")]:
    write("compare", bytes([mode]) + (b"\x40\x00\x00\x00\x00\x00\x00\x00" if mode & 1 else b"") + e.encode() + b"\x00" + a.encode())

# plots: rich results as lesson programs send them (mode 0, JSON), and bytes for the Double builder.
rich = [
    {"plot": {"_0": {"title": "Softmax", "xLabel": "x", "yLabel": "p", "kind": "cartesian",
                     "series": [{"name": "a", "x": [0, 1, 2], "y": [0.1, "nan", 0.7], "style": "line"},
                                {"name": "b", "x": [0, 1], "y": ["inf", -1], "style": "scatter"}]}}},
    {"plot": {"_0": {"title": "Circle", "xLabel": "", "yLabel": "", "kind": "unitCircle", "xRange": [-1, 1], "yRange": [-1, 1],
                     "series": [{"name": "w", "x": [0.6, -0.8], "y": [0.8, 0.6], "style": "scatter"}]}}},
    {"plot": {"_0": {"title": "Bars", "xLabel": "", "yLabel": "", "series": [{"name": "", "x": [1e-320, 1e308], "y": [-1e308, 5], "style": "bar"}]}}},
    {"slider": {"_0": {"parameter": "m", "values": [0.1, 0.5], "initial": 1, "plots": [
        {"title": "m=0.1", "xLabel": "", "yLabel": "", "series": [{"name": "c", "x": [0, 1], "y": [1, 0], "style": "line"}]},
        {"title": "m=0.5", "xLabel": "", "yLabel": "", "series": [{"name": "c", "x": [0, 1], "y": [1, -1], "style": "line"}]}]}}},
    {"table": {"_0": {"caption": "Rows", "columns": ["i", "p"], "rows": [["0", "0.25"], ["1", "<b>&"], ["2"]]}}},
]
for r in rich:
    write("plots", b"\x00" + json.dumps(r).encode())
for k in range(1, 4):
    write("plots", bytes([k]) + bytes(range(k * 7, k * 7 + 120)))
write("plots", b"\x01\x9b" + bytes([3, 0, 1, 2, 4, 5, 6, 7, 8, 9]) * 8)

# parity: the test fixtures, and each op's first cases of the reference file as single-case files.
for p in sorted(glob.glob("Tests/ParityTests/Fixtures/*.json", root_dir=ROOT)):
    write("parity", read(p), os.path.basename(p))
ref = json.loads(read("tools/parity-reference.json"))
seen = {}
for c in ref["cases"]:
    if seen.get(c["op"], 0) < 2:
        seen[c["op"]] = seen.get(c["op"], 0) + 1
        blob = json.dumps({"torch_version": ref.get("torch_version"), "cases": [c]})
        if len(blob) < 6000:
            write("parity", blob)
