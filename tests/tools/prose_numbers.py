"""Prose bound to numbers (DEVELOPERS.md rule 5): every number a notebook's markdown states must be
backed by something nbval or a reader can check.

    python tests/tools/prose_numbers.py notebooks/07_privacy_attacks.ipynb [...]  # unbound
    python tests/tools/prose_numbers.py --explain notebooks/07_privacy_attacks.ipynb  # how bound

A number in a markdown cell is *bound* when one of these holds:

(a) output   the same digits are printed in a compared output (a code cell without
             ``# NBVAL_IGNORE_OUTPUT``, after tests/nbval_sanitize.cfg): thousands commas aside,
             verbatim. "21.4%" or "21.4 points" also matches a printed 0.214; after a hedge
             ("about", "≈", ...) the printed number may carry more digits than the prose.
(b) code     it is a literal of a code cell (an input the notebook sets: ``steps=250``), not
             after "about" or "between" (those claim a result).
(c) expect   a hedge before it states only what an ``expect(value, lo, hi)`` range guarantees:
             "at least x" needs x <= lo, "at most x" x >= hi, "between x and y" x <= lo <= hi <= y,
             "about x" lo <= x <= hi with hi - lo <= |x| (and x no further past a bound than
             the range's width or half the bound).
(d) cited    it is listed in the notebook's one cited-figures cell (first line
             ``### Figures cited in this notebook``; a table ``| Figure | What it is | Source |``
             whose Source names a year and a page, table, section or article, or links the page).
(e) declared an HTML comment in the same cell declares it:
             ``<!-- numbers: illustrative 20, 200,000 -->`` or, for an exercise statement,
             ``<!-- numbers: exercise -->`` (every number of the cell).

Not checked: code spans and blocks, link targets, HTML comments, headings, ordered-list markers,
the ``**Time:**`` line, integers <= 10 inside $math$, years (1900-2100), dates, numbers after a
reference word ("notebook 03", "Art. 22(2)", "Arts 13-15", "Table 2", "p. 4"), legal and document
identifiers (2024/1689, C-203/22, 29 CFR 1607.4), numbers glued to a word (q1, GPT-3, int8, 50d),
version numbers (1.6.1) and the bare integers 0 and 1.
"""

from __future__ import annotations

import ast
import configparser
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
CITED_HEADING = "### Figures cited in this notebook"
CITED_HEADER = ("figure", "what it is", "source")

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
          "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
# one number of prose: sign, digits (thousands commas allowed), decimals, exponent or superscript
NUMBER = re.compile(
    r"(?P<sign>[−-])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?"
    r"(?:(?P<exp>[eE][−-]?\d+)|(?P<sup>[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))?(?P<pct>\s?%)?")
OUT_NUMBER = re.compile(r"[−-]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][−-]?\d+)?")
REF_WORDS = (r"notebooks?|sections?|sec\.|chapters?|ch\.|Arts?\.?|articles?|annex(?:es)?|"
             r"recitals?|tables?|tab\.|figures?|figs?\.|p\.|pp\.|pages?|theorems?|lemmas?|"
             r"cells?|steps?|parts?|exercises?|questions?|regulation|directive|CFR|U\.S\.C\.|"
             r"No\.|nos?\.|version|v\.|paragraphs?|para\.|points? \(|eqs?\.|equations?|"
             r"appendix|rows?|columns?|level|chapter|Law|Opinion|guidelines|report")
_REF_ITEM = r"(?:[\dIVXLC]+[a-z]?(?:[.(/][\w]+\)?)*)"
REFERENCE = re.compile(
    rf"(?:(?i:\b(?:{REF_WORDS}))|§§?)\s*(?:\((?:EU|EC)\)\s*)?{_REF_ITEM}"
    rf"(?:\s*(?:,|and|&|to|or|-|–|—)\s*{_REF_ITEM})*(?:\s+\d+\([a-z0-9]+\))*")
IDENTIFIERS = re.compile(
    r"\b\d+\s+(?:CFR|U\.S\.C\.)(?:\s+Part|\s+§)?\s+[\d.]+[\w\-()]*"  # 29 CFR 1607.4(D)
    r"|\b[A-Z]+-\d+/\d+"                                   # C-203/22
    r"|\b(?:19|20)\d\d/\d+"                                # 2024/1689
    r"|\b\d+\.\d+\.\d+(?:\.\d+)*"                          # versions 1.6.1
    r"|\b\d+\s*×\s*\d+(?:\s*×\s*\d+)*"                  # sizes 32×32, 2×4
    r"|\b\d+\(\d+\)"                                       # volume(issue) 64(12)
    r"|\b(?:arXiv|PMLR|doi)[:\s]\s*[\d.]+"                  # arXiv:1605.01713, PMLR 81
    r"|(?<![\d,.])\b0\d+\**"                                # 02139, 07 (codes, not amounts)
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\b"      # 2 December
    rf"|\b(?:{MONTHS})\s+\d{{1,2}}\b(?!,\d)")              # June 29
HEDGE_ABOUT = (r"(?:about|roughly|around|approximately|approx\.|nearly|almost|near|close to|"
               r"≈|~|∼)")  # not "over" or "some": "over 500 runs" states an input
HEDGE_LOWER = r"(?:at least|more than|above|exceeds?|exceeding|greater than|no less than|≥|>)"
HEDGE_UPPER = r"(?:at most|under|below|less than|no more than|fewer than|up to|within|≤|<)"
MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
TEX = {r"\approx": " ≈ ", r"\leq": " ≤ ", r"\le": " ≤ ", r"\geq": " ≥ ", r"\ge": " ≥ ",
       r"\times": " × ", r"\sim": " ~ ", r"\,": "", r"{,}": ","}
# a reading-list entry: "- Author, Author (2019). *Title.* Journal 64(12)." (to the next item)
BIBLIOGRAPHY = re.compile(r"(?m)^\s*[-*] [^\n]*?\((?:19|20)\d\d[a-z]?\)\.[^\n]*"
                          r"(?:\n(?!\s*[-*] |\s*$)[^\n]*)*")
EXPECT_LINE = re.compile(r"(?m)^✓ .* is between \S+ and \S+, as expected\.$")
DECLARE = re.compile(r"<!--\s*numbers:\s*(?P<kind>[\w-]+)(?P<rest>.*?)-->", re.S)


@dataclass(frozen=True)
class Number:
    """One number of the prose: its text, value, position and what surrounds it."""

    text: str      # as written, e.g. "21.4%"
    canon: str     # digits only: no thousands commas, ASCII minus, no %
    value: float
    decimals: int
    percent: bool  # "%" or followed by "points"
    cell: int
    before: str
    after: str

    @property
    def context(self) -> str:
        return f"...{self.before[-40:]}[{self.text}]{self.after[:30]}...".replace("\n", " ")


@dataclass(frozen=True)
class Finding:
    """A prose number that nothing binds, or a cited-figures row without a proper source."""

    notebook: str
    cell: int
    number: str
    context: str
    why: str = "no compared output, code literal, expect range, citation or declaration binds it"

    def __str__(self) -> str:
        return f"{self.notebook} cell {self.cell}: {self.number!r}: {self.why}\n    {self.context}"


def _canon(text: str) -> str:
    return text.replace("−", "-").replace(",", "").replace("+", "").strip()


def _value(text: str) -> float:
    text = _canon(text).translate(_SUP)
    return float(text)


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(SANITIZE, encoding="utf-8")
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]


def _ignored(cell: dict) -> bool:
    src = "".join(cell.get("source", ""))
    tags = cell.get("metadata", {}).get("tags", [])
    return (any(m in src for m in ("NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP", "NBVAL_RAISES_EXCEPTION"))
            or any(t in tags for t in ("nbval-ignore-output", "nbval-skip")))


def compared_output_numbers(nb: dict) -> tuple[set[str], list[float]]:
    """Canonical number strings (and values) printed by the cells nbval compares."""
    subs = _sanitizers()
    texts = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or _ignored(cell):
            continue
        for out in cell.get("outputs", []):
            parts = [out.get("text", "")]
            data = out.get("data", {})
            parts += [data.get(k, "") for k in ("text/plain", "text/html", "text/markdown")]
            for part in parts:
                text = EXPECT_LINE.sub(" ", "".join(part))  # bounds bind through (c) only
                for rx, rep in subs:
                    text = rx.sub(rep, text)
                texts.append(text)
    canon: set[str] = set()
    for text in texts:
        for tok in OUT_NUMBER.findall(text):
            for piece in {tok, *tok.split(",")}:
                if piece and piece[-1].isdigit() and re.search(r"\d", piece):
                    canon.add(_canon(piece))
    values = []
    for c in canon:
        try:
            values.append(float(c))
        except ValueError:
            continue
    return canon, values


def _eval(node: ast.AST) -> float | None:
    """The value of a numeric literal expression (1e-5, -3, 10**4, 2_000 / 4), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _eval(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left), _eval(node.right)
        if a is None or b is None:
            return None
        try:
            ops = {ast.Pow: lambda: a ** b, ast.Mult: lambda: a * b, ast.Div: lambda: a / b,
                   ast.Add: lambda: a + b, ast.Sub: lambda: a - b}
            return ops[type(node.op)]() if type(node.op) in ops else None
        except (OverflowError, ZeroDivisionError):
            return None
    return None


def _code_trees(nb: dict) -> list[ast.AST]:
    trees = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "\n".join(line for line in "".join(cell["source"]).splitlines()
                        if not line.lstrip().startswith(("%", "!")))
        try:
            trees.append(ast.parse(src))
        except SyntaxError:
            continue
    return trees


def code_literals(nb: dict) -> list[float]:
    """Every numeric literal (and literal expression) in the notebook's code cells, except the
    bounds of expect() calls (a bound binds prose through rule (c) only)."""
    values = []
    for tree in _code_trees(nb):
        skip = {id(n) for call in ast.walk(tree) if _is_expect(call)
                for arg in call.args[1:3] + [k.value for k in call.keywords]
                for n in ast.walk(arg)}
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, (ast.Constant, ast.BinOp, ast.UnaryOp)):
                v = _eval(node)
                if v is not None and math.isfinite(v):
                    values.append(v)
    return values


def _is_expect(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    return (f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute)
            else None) == "expect"


def expect_ranges(nb: dict) -> list[tuple[float, float]]:
    """(lo, hi) of every ``expect(value, lo, hi, ...)`` call with literal bounds."""
    ranges = []
    for tree in _code_trees(nb):
        for node in ast.walk(tree):
            if not _is_expect(node):
                continue
            args = list(node.args[1:3])
            kw = {k.arg: k.value for k in node.keywords}
            lo_node = args[0] if len(args) > 0 else kw.get("lo")
            hi_node = args[1] if len(args) > 1 else kw.get("hi")
            if lo_node is None or hi_node is None:
                continue
            lo, hi = _eval(lo_node), _eval(hi_node)
            if lo is not None and hi is not None:
                ranges.append((lo, hi))
    return ranges


def _cited_cell(src: str) -> bool:
    return src.lstrip().startswith(CITED_HEADING)


def cited_figures(nb: dict, name: str = "") -> tuple[set[str], list[Finding]]:
    """Canonical numbers of the cited-figures table, and findings for rows without a source."""
    cited: set[str] = set()
    problems: list[Finding] = []
    cells = [(i, "".join(c["source"])) for i, c in enumerate(nb["cells"])
             if c["cell_type"] == "markdown" and _cited_cell("".join(c["source"]))]
    if len(cells) > 1:
        problems.append(Finding(name, cells[1][0], "", "", "more than one cited-figures cell"))
    for i, src in cells:
        rows = [r.strip() for r in src.splitlines() if r.strip().startswith("|")]
        if not rows:
            problems.append(Finding(name, i, "", "", "the cited-figures cell has no table"))
            continue
        header = tuple(c.strip().lower() for c in rows[0].strip("|").split("|"))
        if header != CITED_HEADER:
            problems.append(Finding(name, i, "", rows[0],
                                    f"the table's header must be {CITED_HEADER}"))
            continue
        for row in rows[2:]:
            cols = [c.strip() for c in row.strip("|").split("|")]
            if len(cols) != 3:
                problems.append(Finding(name, i, "", row, "a row needs exactly three columns"))
                continue
            figure, _what, source = cols
            if not re.search(r"\b(?:19|20)\d\d", source):
                problems.append(Finding(name, i, figure, row, "the source names no year"))
            if not re.search(r"(?i)\b(?:p|pp|sec|ch|tab|fig|art|arts|para|eq)\.|§|\b(?:page|"
                             r"table|figure|section|article|annex|chapter|appendix|recital)"
                             r"|\]\(https?://", source):
                problems.append(Finding(name, i, figure, row,
                                        "the source names no page, table, section or article"))
            for m in NUMBER.finditer(_strip_code(figure)):
                cited.add(_canon(m.group(0).replace("%", "")).translate(_SUP))
    return cited, problems


def _strip_code(text: str) -> str:
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", " ", text)


def _blank(text: str, pattern: re.Pattern) -> str:
    """Replace every match by spaces of the same length (positions stay put)."""
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def prose_numbers(src: str, cell: int) -> tuple[list[Number], set[str], bool]:
    """The numbers of one markdown cell that need binding, its declared numbers, and whether the
    whole cell is declared (an exercise statement)."""
    declared: set[str] = set()
    whole = False
    for m in DECLARE.finditer(src):
        rest = m.group("rest").strip()
        if not rest:
            whole = True
        for n in NUMBER.finditer(rest):
            declared.add(_canon(n.group(0).replace("%", "")).translate(_SUP))
    text = src
    text = _blank(text, re.compile(r"<!--.*?-->", re.S))
    text = _blank(text, re.compile(r"```.*?```", re.S))
    text = _blank(text, re.compile(r"`[^`\n]*`"))
    text = _blank(text, re.compile(r"\]\([^)\s]*\)"))          # link targets
    text = _blank(text, re.compile(r"<[^>\n]+>"))              # html tags
    text = _blank(text, re.compile(r"https?://\S+"))
    text = _blank(text, re.compile(r"(?m)^#{1,6} .*$"))        # headings
    text = _blank(text, re.compile(r"(?m)^.*\*\*Time:\*\*.*$"))
    text = _blank(text, re.compile(r"(?m)^\s*\d+\.\s"))        # ordered-list markers
    text = _blank(text, BIBLIOGRAPHY)

    def _math(m: re.Match) -> str:
        body = m.group(0)
        for k, v in TEX.items():
            body = body.replace(k, v)
        body = re.sub(r"\\[A-Za-z]+", lambda t: " " * len(t.group(0)), body)
        body = re.sub(r"[{}^_$]", " ", body)
        body = NUMBER.sub(lambda n: n.group(0) if not re.fullmatch(r"\d+", n.group(0))
                          or int(n.group(0)) > 10 else " " * len(n.group(0)), body)
        return body.ljust(len(m.group(0)))[:len(m.group(0))]

    text = MATH.sub(_math, text)
    text = _blank(text, IDENTIFIERS)
    text = _blank(text, REFERENCE)
    found = []
    for m in NUMBER.finditer(text):
        start, end = m.span()
        prev = text[start - 1] if start else " "
        prev2 = text[start - 2] if start > 1 else " "
        nxt = text[end] if end < len(text) else " "
        body = m.group(0)
        if prev.isalnum() or prev in "_.'/" or (prev in "-–" and prev2.isalpha()):
            continue                                         # q1, GPT-3, x.5
        if nxt.isalpha() and not re.match(r"[x×](?![A-Za-z])", text[end:end + 2]):
            continue                                         # 50d, 6B, 1st (18.7x is kept)
        if m.group("sign") and prev.isalnum():
            continue
        sign = "-" if m.group("sign") and prev not in "0123456789" else ""
        digits = m.group("int") + (m.group("dec") or "")
        if m.group("sup"):
            try:
                canon = str(float(_canon(m.group("int"))) ** float(m.group("sup").translate(_SUP)))
            except OverflowError:
                continue
            canon = canon[:-2] if canon.endswith(".0") else canon
        elif m.group("exp"):
            canon = _canon(digits + m.group("exp"))
        else:
            canon = _canon(digits)
        canon = sign + canon
        percent = bool(m.group("pct")) or bool(re.match(r"\s*(?:percentage )?points?\b",
                                                         text[end:end + 22]))
        is_int = not m.group("dec") and not m.group("exp") and not m.group("sup")
        if is_int and not percent:
            v = int(_canon(m.group("int")))
            if v in (0, 1) or 1900 <= v <= 2100 and "," not in m.group("int"):
                continue
        value = float(canon)
        found.append(Number(text=body.strip(), canon=canon, value=value,
                            decimals=len(m.group("dec") or "") - 1 if m.group("dec") else 0,
                            percent=percent, cell=cell, before=src[max(0, start - 60):start],
                            after=src[end:end + 40]))
    return found, declared, whole


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _candidates(n: Number) -> list[float]:
    """Values the number may stand for: itself and, for a percentage, the fraction."""
    vals = [n.value, abs(n.value)]
    if n.percent:
        vals += [n.value / 100, abs(n.value) / 100]
    return vals


def _hedge(n: Number) -> str | None:
    before = re.sub(r"[*_]", "", n.before).lower()
    for kind, rx in (("between", r"between\s*$"), ("about", HEDGE_ABOUT + r"\s*$"),
                     ("lower", HEDGE_LOWER + r"\s*$"), ("upper", HEDGE_UPPER + r"\s*$")):
        if re.search(r"(?:^|[\s(])" + rx if rx[0] != "b" else r"\b" + rx, before):
            return kind
    if re.search(r"\bbetween\s+\S+\s+and\s*$", before):
        return "and"
    return None


def bound_by_output(n: Number, canon: set[str], values: list[float]) -> bool:
    """(a): printed verbatim; a percentage as its fraction; after a hedge, rounded."""
    if n.canon in canon or n.canon.lstrip("-") in canon or ("-" + n.canon) in canon:
        return True
    if n.percent:
        frac = f"{abs(n.value) / 100:.{n.decimals + 2}f}"
        if frac in canon or "-" + frac in canon:
            return True
    if _hedge(n) == "about":
        for target in _candidates(n):
            decimals = n.decimals + (2 if target != n.value and target != abs(n.value) else 0)
            if any(_close(round(abs(v), decimals), abs(target)) for v in values):
                return True
    return False


def _slack(lo: float, hi: float) -> float:
    """How far past a range's bound a hedged claim may reach and still be about that range."""
    return max(hi - lo, abs(lo) / 2, abs(hi) / 2)


def bound_by_expect(n: Number, ranges: list[tuple[float, float]], upper: Number | None) -> bool:
    """(c): the hedge before the number states only what some expect range guarantees (and
    stays close to that range, so that "at most 12 bits" is not bound by an accuracy's range)."""
    hedge = _hedge(n)
    if hedge is None:
        return False
    eps = 1e-12
    for x in _candidates(n)[::2] if n.value >= 0 else _candidates(n):
        for lo, hi in ranges:
            near = _slack(lo, hi)
            if hedge == "lower" and lo - near <= x <= lo + eps:
                return True
            if hedge == "upper" and hi - eps <= x <= hi + near:
                return True
            if hedge == "about" and lo <= x <= hi and hi - lo <= abs(x) + eps:
                return True
            if hedge == "between" and upper is not None and lo - near <= x <= lo + eps:
                ys = [upper.value / 100] if (upper.percent and x != n.value) else [upper.value]
                if any(hi - eps <= y <= hi + near for y in ys):
                    return True
    return False


@dataclass
class Evidence:
    """What a notebook offers to bind its prose: outputs, literals, ranges and citations."""

    printed: set[str]
    printed_values: list[float]
    literals: list[float]
    ranges: list[tuple[float, float]]
    cited: set[str]

    @classmethod
    def of(cls, nb: dict) -> Evidence:
        printed, values = compared_output_numbers(nb)
        cited, _ = cited_figures(nb)
        return cls(printed, values, code_literals(nb), expect_ranges(nb), cited)


def binding(n: Number, ev: Evidence, declared: set[str], prev: Number | None,
            nxt: Number | None) -> str | None:
    """The rule that binds one prose number ("output", "code", "expect", "cited",
    "declared"), or None."""
    if n.canon in declared or n.canon.lstrip("-") in declared:
        return "declared"
    if n.canon in ev.cited or n.canon.lstrip("-") in ev.cited:
        return "cited"
    if bound_by_output(n, ev.printed, ev.printed_values):
        return "output"
    if _hedge(n) not in ("about", "between", "and") \
            and any(_close(x, v) for x in _candidates(n) for v in ev.literals):
        return "code"  # "about x", "between x and y" claim a result: (a) or (c) only
    if bound_by_expect(n, ev.ranges, nxt):
        return "expect"
    if _hedge(n) == "and" and prev is not None and bound_by_expect(prev, ev.ranges, n):
        return "expect"
    return None


def bindings(path: Path | str, nb: dict | None = None):
    """(number, rule or None) for every checked number of one notebook's prose."""
    path = Path(path)
    nb = nb if nb is not None else json.loads(path.read_text(encoding="utf-8"))
    ev = Evidence.of(nb)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        src = "".join(cell["source"])
        if _cited_cell(src):
            continue
        numbers, declared, whole = prose_numbers(src, i)
        if whole:
            continue
        for k, n in enumerate(numbers):
            prev = numbers[k - 1] if k else None
            nxt = numbers[k + 1] if k + 1 < len(numbers) else None
            yield n, binding(n, ev, declared, prev, nxt)


def check_notebook(path: Path | str, nb: dict | None = None) -> list[Finding]:
    """Every unbound prose number of one notebook (and every malformed citation row)."""
    path = Path(path)
    nb = nb if nb is not None else json.loads(path.read_text(encoding="utf-8"))
    _, findings = cited_figures(nb, path.name)
    findings += [Finding(path.name, n.cell, n.text, n.context)
                 for n, rule in bindings(path, nb) if rule is None]
    return findings


def main(argv: list[str]) -> int:
    explain = "--explain" in argv
    argv = [a for a in argv if a != "--explain"]
    paths = argv or sorted(str(p) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    total = 0
    for p in paths:
        if explain:
            for n, rule in bindings(p):
                print(f"{Path(p).name} cell {n.cell}: {n.text!r} <- {rule}\n    {n.context}")
        found = check_notebook(p)
        total += len(found)
        for f in found:
            print(f)
        print(f"{Path(p).name}: {len(found)} unbound")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
