"""The four emitters: one source file each, from the same statements."""

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from ..arguments import FunctionLike
from ..collector import without_gc
from ..errors import UsageError
from .emit import (
    JS,
    LANGS,
    PART_SIZE,
    TWICE,
    C,
    NumPy,
    Python,
    Result,
    Statement,
    header_lines,
    kink_tests,
    statements,
)
from .kernel import Kernel
from .sparse import triplet_lines

# --- C -------------------------------------------------------------------------

_C_PARAMS = {"f": "values", "J": "Jacobian, row-major", "Jv": "J·v", "uJ": "uᵀ·J",
             "g": "gradient", "H": "Hessian, row-major",
             "Jnz": "the Jacobian's nonzeros, at NAME_Jnz_rows/_cols",
             "Hnz": "the Hessian's nonzeros, at NAME_Hnz_rows/_cols"}


def _c_comment(text: str) -> str:
    return "/* " + text.replace("*/", "* /") + " */"


def _block_comment(kernel: Kernel, lang: str, name: str) -> list[str]:
    """The header as a C or JavaScript block comment (without its close)."""
    return ["/*" if lang == "c" else "/**"] + [
        " * " + line.replace("*/", "* /") for line in header_lines(kernel, lang, name)]


def _kinked(statement: Statement, helper: str) -> str:
    """A statement's text with adcli's kink convention applied by ``helper``."""
    if statement.kink is None:
        return statement.text
    return f"{helper}({statement.text}, {statement.kink})"


def emit_c(kernel: Kernel, name: str, main: bool = False) -> str:
    lang = C()
    schedule = kernel.schedule(TWICE)
    # parts of bounded size, passing values through v[] (one statement per named node)
    split = len(schedule[1]) > PART_SIZE
    used: set[int] = set()

    def leaf(i: int) -> str:
        used.add(i)
        return f"w{i + 1}"

    stmts, results, results_deps = statements(
        kernel, lang, (lambda i: f"x[{i}]") if split else leaf, schedule=schedule)
    params = ", ".join(f"double *{g}" for g, _, _ in results)
    out = _c_header(kernel, name, results, params, main)
    out += triplet_lines(kernel, name, "c")
    if any(s.kink for s in stmts):
        out += [f"static double {name}_kink(double p, int at_kink)",
                "{", "    return (at_kink && p != p) ? 0.0 : p;", "}", ""]
    signature = f"int {name}(const double *x, {params})"
    if split:
        out += _c_parts(name, stmts, results, results_deps, signature)
    else:
        inputs = [f"    const double w{i + 1} = x[{i}]; "
                  f"{_c_comment(f'ω{i + 1} = {kernel.inputs[i]}')}" for i in sorted(used)]
        out += [signature, "{"] + (["    (void)x;"] if not used else []) + inputs
        out += _c_body(name, stmts) + _c_writes(results) + ["    return 0;", "}"]
    kink = _c_kink_function(kernel, name)
    out += kink
    if main:
        out += _c_main(kernel, name, results, bool(kink))
    return "\n".join(out) + "\n"


def _c_header(kernel: Kernel, name: str, results: Sequence[Result], params: str,
              main: bool) -> list[str]:
    """The block comment (formula, order, signature, contract) and includes."""
    sizes = ", ".join(f"{g}[{len(nodes)}]" for g, nodes, _ in results)
    out = _block_comment(kernel, "c", name)
    out += [" *",
            f" * int {name}(const double *x, {params});",
            f" *   x[{len(kernel.inputs)}] the inputs in the order above; writes {sizes}",
            " *   (" + "; ".join(f"{g}: {_C_PARAMS[g].replace('NAME', name)}"
                             for g, _, _ in results) + ").",
            " *   Returns 0, or the ω index of the first step outside its domain",
            " *   (log(0), sqrt(-1), 1/0, ...: where adcli reports a domain error).",
            " *   At a kink a nan partial is 0 (adcli's convention); overflow gives ±inf.",
            " *   Thread-safe: no global or static mutable state.  C99, <math.h> only;",
            " *   compile with -std=c99 (which keeps floating-point contraction off).",
            " */",
            "#include <math.h>"]
    if main:
        out += ["#include <stdio.h>", "#include <stdlib.h>"]
    return out + [""]


def _c_statement(name: str, s: Statement, indent: str = "    ") -> list[str]:
    """One statement's lines: its assignment, then its checks (return ω)."""
    lines = [f"{indent}const double {s.var} = {_kinked(s, f'{name}_kink')}; "
             f"{_c_comment(s.comment)}"]
    lines += [f"{indent}if ({cond}) return {omega};" for cond, omega in s.check]
    return lines


def _c_body(name: str, stmts: Iterable[Statement]) -> list[str]:
    return [line for s in stmts for line in _c_statement(name, s)]


def _c_writes(results: Iterable[Result]) -> list[str]:
    return [f"    {g}[{k}] = {c};" for g, codes, _ in results for k, c in enumerate(codes)]


def _c_kink_function(kernel: Kernel, name: str) -> list[str]:
    """``int NAME_on_kink(const double *x)``: the ω of the first step the point
    is on the kink of (where adcli warns), else 0; none without kinks."""
    kept = kink_tests(kernel, C(), lambda i: f"x[{i}]")
    if not kept:
        return []
    out = ["", "/* The ω of the first step on its kink at x (abs at 0, a tie in max, ...:",
           " * where adcli warns and applies its convention), else 0. */",
           f"int {name}_on_kink(const double *x);",
           f"int {name}_on_kink(const double *x)", "{"]
    for s, assign, tests in kept:
        if assign:
            out.append(f"    const double {s.var} = {s.text}; {_c_comment(s.comment)}")
        out += [f"    if ({cond}) return {omega};" for cond, omega in tests]
    return out + ["    return 0;", "}"]


def _c_parts(name: str, stmts: Sequence[Statement], results: Sequence[Result],
             results_deps: Sequence[Sequence[set[str]]], signature: str) -> list[str]:
    """Functions of PART_SIZE statements: locals inside a part, and only the
    values another part reads pass through v[]; the results are written by
    parts of the same size (compilers are superlinear in a function's size)."""
    parts = [stmts[i:i + PART_SIZE] for i in range(0, len(stmts), PART_SIZE)]
    part_of = {s.var: k for k, part in enumerate(parts) for s in part}
    writes = [(f"{g}[{k}] = {c};", d) for (g, codes, _), deps in zip(results, results_deps)
              for k, (c, d) in enumerate(zip(codes, deps))]
    exported = {d for _, deps in writes for d in deps}
    for k, part in enumerate(parts):
        for s in part:
            exported.update(d for d in s.deps if part_of[d] != k)
    position = {s.var: i for i, s in enumerate(stmts)}  # not a set's order: the same text every run
    slot = {var: i for i, var in enumerate(sorted(exported, key=position.__getitem__))}
    out: list[str] = []

    def imports(needed: Collection[str]) -> list[str]:
        return [f"    const double {d} = v[{slot[d]}];"
                for d in sorted(needed, key=slot.__getitem__)]

    # external linkage: GCC inlines a static function called once
    for k, part in enumerate(parts):
        needed = {d for s in part for d in s.deps if part_of[d] != k}
        lines = []
        for s in part:
            lines += _c_statement(name, s)
            if s.var in slot:
                lines.append(f"    v[{slot[s.var]}] = {s.var};")
        proto = f"int {name}_part{k + 1}(const double *restrict x, double *restrict v)"
        out += [proto + ";", proto, "{", "    (void)x;"] + imports(needed) + lines + [
            "    return 0;", "}", ""]
    groups = ", ".join(f"double *restrict {g}" for g, _, _ in results)
    chunks = [writes[i:i + PART_SIZE] for i in range(0, len(writes), PART_SIZE)]
    for k, chunk in enumerate(chunks):
        proto = (f"void {name}_write{k + 1}(const double *restrict x, "
                 f"const double *restrict v, {groups})")
        touched = " ".join(f"(void){g};" for g, _, _ in results)
        out += [proto + ";", proto, "{", f"    (void)x; (void)v; {touched}"]
        out += imports({d for _, deps in chunk for d in deps})
        out += [f"    {w}" for w, _ in chunk] + ["}", ""]
    args = ", ".join(g for g, _, _ in results)
    out += [signature, "{",
            f"    double v[{max(len(slot), 1)}]; /* the values passed between parts */",
            "    int rc;"]
    out += [f"    if ((rc = {name}_part{k + 1}(x, v)) != 0) return rc;" for k in range(len(parts))]
    out += [f"    {name}_write{k + 1}(x, v, {args});" for k in range(len(chunks))]
    return out + ["    return 0;", "}"]


def _c_main(kernel: Kernel, name: str, results: Sequence[Result],
            kinks: bool = False) -> list[str]:
    n_in = len(kernel.inputs)
    decl = " ".join(f"double {g}[{max(len(nodes), 1)}];" for g, nodes, _ in results)
    args = ", ".join(g for g, _, _ in results)
    prints = []
    total = sum(len(nodes) for _, nodes, _ in results)
    k = 0
    for g, nodes, _ in results:
        for i in range(len(nodes)):
            k += 1
            prints.append(f"        {name}_print({g}[{i}], {int(k == total)});")
    if total == 0:
        prints.append("        putchar('\\n');")
    return ["", f"static void {name}_print(double v, int last)", "{",
            "    if (v != v) fputs(\"nan\", stdout); else printf(\"%.17g\", v);",
            "    putchar(last ? '\\n' : ' ');", "}", "",
            "/* One point per line on stdin (the inputs, whitespace-separated, in the",
            " * order above); one line out per point: the values, then the derivatives. */",
            "int main(void)", "{",
            "    size_t cap = 4096, len;",
            "    char *line = malloc(cap);",
            f"    double x[{max(n_in, 1)}]; {decl}",
            "    int c = 0, k, rc;",
            "    long number = 0;",
            "    if (line == NULL) return 1;",
            "    while (c != EOF) {",
            "        char *p, *end;",
            "        len = 0;",
            "        number++;",
            "        while ((c = getchar()) != EOF && c != '\\n') {",
            "            if (len + 1 >= cap) {",
            "                char *grown = realloc(line, cap *= 2);",
            "                if (grown == NULL) { free(line); return 1; }",
            "                line = grown;",
            "            }",
            "            line[len++] = (char)c;",
            "        }",
            "        line[len] = '\\0';",
            "        for (p = line; *p == ' ' || *p == '\\t' || *p == '\\r'; p++) {}",
            f"        if (*p == '\\0' && ({n_in} > 0 || c == EOF)) continue;",
            f"        for (k = 0; k < {n_in}; k++) {{",
            "            x[k] = strtod(p, &end);",
            "            if (end == p) break;",
            "            p = end;",
            "        }",
            f"        if (k < {n_in}) {{",
            f"            printf(\"error: expected {n_in} numbers\\n\");",
            "            continue;",
            "        }",
            f"        rc = {name}(x, {args});",
            "        if (rc != 0) {",
            "            printf(\"error: domain error at omega %d\\n\", rc);",
            "            continue;",
            "        }",
            ] + ([f"        if ((rc = {name}_on_kink(x)) != 0)",
                  "            fprintf(stderr, \"warning: line %ld: step omega %d is on its "
                  "kink (adcli's convention applied)\\n\", number, rc);"] if kinks else []) \
        + prints + ["    }", "    free(line);", "    return 0;", "}"]


# --- Python and NumPy ---------------------------------------------------------------

_PY_HELPERS: dict[str, list[str]] = {
    "_exp": ["def _exp(x):", "    try:", "        return math.exp(x)",
             "    except OverflowError:", "        return math.inf"],
    "_expm1": ["def _expm1(x):", "    try:", "        return math.expm1(x)",
               "    except OverflowError:", "        return math.inf"],
    "_sinh": ["def _sinh(x):", "    try:", "        return math.sinh(x)",
              "    except OverflowError:", "        return math.copysign(math.inf, x)"],
    "_cosh": ["def _cosh(x):", "    try:", "        return math.cosh(x)",
              "    except OverflowError:", "        return math.inf"],
    "_pow": ["def _pow(x, y):", "    try:", "        return math.pow(x, y)",
             "    except OverflowError:",
             "        odd = x < 0 and y == int(y) and int(y) % 2",
             "        return -math.inf if odd else math.inf"],
    "_cbrt": ["def _cbrt(x):", "    if hasattr(math, 'cbrt'):", "        return math.cbrt(x)",
              "    return math.copysign(abs(x) ** (1.0 / 3.0), x)"],
    "_sign": ["def _sign(x):", "    return (x > 0) - (x < 0) + 0.0"],
    # derivative statements: IEEE values where math raises (a partial at a kink)
    "_div_ieee": ["def _div_ieee(a, b):", "    try:", "        return a / b",
                  "    except ZeroDivisionError:", "        if a != a or a == 0:",
                  "            return math.nan",
                  "        return math.copysign(math.inf, a) * math.copysign(1.0, b)"],
    "_pow_ieee": ["def _pow_ieee(x, y):", "    try:", "        return _pow(x, y)",
                  "    except ValueError:  # 0 to a negative power, or (-x) to a fraction",
                  "        if x != 0:", "            return math.nan",
                  "        odd = math.isfinite(y) and y == int(y) and int(y) % 2",
                  "        return math.copysign(math.inf, x) if odd else math.inf"],
    "_call_ieee": ["def _call_ieee(f, x):", "    try:", "        return f(x)",
                   "    except ValueError:  # C's value at a pole, else nan",
                   "        if x == 0 and f in (math.log, math.log2, math.log10):",
                   "            return -math.inf",
                   "        if (f is math.log1p and x == -1) or (f is math.atanh and abs(x) == 1):",
                   "            return math.copysign(math.inf, x if f is math.atanh else -1.0)",
                   "        return math.nan"],
    "_kink": ["def _kink(p, at_kink):", "    return 0.0 if at_kink and p != p else p"],
}

_NP_HELPERS: dict[str, list[str]] = {
    "_erf": ["_erf = np.vectorize(math.erf, otypes=[float])"],
    "_erfc": ["_erfc = np.vectorize(math.erfc, otypes=[float])"],
}


Q = '"""'


def _docstring(kernel: Kernel, name: str, kernel_lang: str) -> list[str]:
    lines = header_lines(kernel, kernel_lang, name)
    return [Q] + [line.replace(Q, "'''") for line in lines] + [Q]


# What every --main program writes on stderr for a point on a kink (C's text)
KINK_WARNING = ("warning: line {line}: step omega {omega} is on its kink "
                "(adcli's convention applied)")
_KINK_DOC = ["The ω of the first step on its kink at {x} (abs at 0, a tie in max, ...:",
             "where adcli warns and applies its convention), else 0."]


def emit_python(kernel: Kernel, name: str, main: bool = False) -> str:
    lang = Python()
    stmts, results, _ = statements(kernel, lang, lambda i: f"x[{i}]")
    body = [f"    {s.var} = {_kinked(s, '_kink')}  # {s.comment}" for s in stmts]
    groups = ", ".join(f"[{', '.join(codes)}]" for _, codes, _ in results)
    kink = _py_kink_function(kernel, name)
    source = "\n".join(body + kink) + groups
    out = _docstring(kernel, name, "python") + ["", "import math", ""]
    out += triplet_lines(kernel, name, "python")
    for h in reversed(_PY_HELPERS):  # and the helpers a later helper calls
        if h + "(" in source:
            source += "\n".join(_PY_HELPERS[h])
    for h in _PY_HELPERS:
        if h + "(" in source:
            out += _PY_HELPERS[h] + ["", ""]
    names = ", ".join(g for g, _, _ in results)
    out += [f"def {name}(x):",
            f'    """({names}) as flat lists for the inputs x (a sequence, in the order',
            "    above).  Raises ValueError or ZeroDivisionError where adcli reports a",
            '    domain error; overflow gives ±inf."""']
    out += body + [f"    return ({groups},)" if len(results) == 1 else f"    return ({groups})"]
    out += kink
    if main:
        out += _py_main(kernel, name, bool(kink))
    return "\n".join(out) + "\n"


def _py_kink_function(kernel: Kernel, name: str) -> list[str]:
    """``NAME_on_kink(x)``: as C's (none without kinks)."""
    kept = kink_tests(kernel, Python(), lambda i: f"x[{i}]")
    if not kept:
        return []
    doc = [line.format(x="x") for line in _KINK_DOC]
    out = ["", "", f"def {name}_on_kink(x):", f'    """{doc[0]}', f"    {doc[1]}  Raises",
           f'    where {name}(x) raises before reaching the kink."""']
    for s, assign, tests in kept:
        if assign:
            out.append(f"    {s.var} = {s.text}  # {s.comment}")
        for cond, omega in tests:
            out += [f"    if {cond}:", f"        return {omega}"]
    return out + ["    return 0"]


def _py_main(kernel: Kernel, name: str, kinks: bool) -> list[str]:
    n_in = len(kernel.inputs)
    warn = KINK_WARNING.format(line="{number}", omega="{omega}")
    return ["", "", "def _main():", "    import sys", "",
            "    for number, line in enumerate(sys.stdin, 1):",
            "        fields = line.split()",
            f"        if not fields and {n_in}:",
            "            continue",
            "        try:  # as C: the first numbers of the line, or an error",
            f"            x = [float(t) for t in fields[:{n_in}]] if len(fields) >= {n_in} "
            "else None",
            "        except ValueError:",
            "            x = None",
            "        if x is None:",
            f"            print('error: expected {n_in} numbers')",
            "            continue",
            "        try:",
            f"            groups = {name}(x)",
            "        except (ValueError, ZeroDivisionError) as exc:",
            "            print(f'error: {exc}')",
            "            continue"] + ([
            f"        omega = {name}_on_kink(x)",
            "        if omega:",
            f'            print(f"{warn}", file=sys.stderr)'] if kinks else []) + [
            "        print(' '.join('%.17g' % v for g in groups for v in g))",
            "", "", 'if __name__ == "__main__":', "    _main()"]


def emit_numpy(kernel: Kernel, name: str, main: bool = False) -> str:
    lang = NumPy()
    stmts, results, _ = statements(kernel, lang, lambda i: f"X[:, {i}]")
    body = []
    for s in stmts:
        body.append(f"        {s.var} = {s.text}  # {s.comment}")
        for cond, omega in s.check:  # the first step off its domain, per point
            body.append(f"        bad = np.where((bad == 0) & ({cond}), {omega}, bad)")
        if s.kink is not None:
            body.append(f"        {s.var} = np.where(({s.kink}) & np.isnan({s.var}), 0.0, "
                        f"{s.var})")
    kink = _np_kink_function(kernel, name)
    source = "\n".join(body + kink)
    out = _docstring(kernel, name, "numpy") + ["", "import math", "", "import numpy as np", ""]
    out += triplet_lines(kernel, name, "numpy")
    for h, lines in _NP_HELPERS.items():
        if h + "(" in source:
            out += lines + [""]
    names = ", ".join(g for g, _, _ in results)
    out += ["", f"def {name}(X, errors=False):",
            f'    """({names}) for the points X, an (n, {len(kernel.inputs)}) array (one '
            "row per", "    point, inputs in the order above): arrays of shape (n, k). "
            "Points outside", "    the domain give nan or ±inf rows (no exception); with "
            "errors=True a last", "    array says which: bad[i] is the ω index of the first "
            "step outside its", '    domain at point i (where adcli reports an error), '
            'else 0."""',
            f"    X = np.asarray(X, dtype=float).reshape(-1, {len(kernel.inputs)})",
            "    n = X.shape[0]",
            "    bad = np.zeros(n, dtype=np.int64)",
            '    with np.errstate(all="ignore"):']
    out += body
    for g, codes, _ in results:
        out.append(f"        {g} = np.empty((n, {len(codes)}))")
        out += [f"        {g}[:, {k}] = {c}" for k, c in enumerate(codes)]
    out.append(f"    return ({names}, bad) if errors else ({names})")
    out += kink
    if main:
        out += _np_main(kernel, name, bool(kink))
    return "\n".join(out) + "\n"


def _np_kink_function(kernel: Kernel, name: str) -> list[str]:
    """``NAME_on_kink(X)``: C's answer for every point, as an array."""
    kept = kink_tests(kernel, NumPy(), lambda i: f"X[:, {i}]")
    if not kept:
        return []
    doc = [line.format(x="point i") for line in _KINK_DOC]
    out = ["", "", f"def {name}_on_kink(X):",
           f'    """For points X as {name} takes them, an array: kink[i] is',
           f"    t{doc[0][1:]}", f'    {doc[1]}"""',
           f"    X = np.asarray(X, dtype=float).reshape(-1, {len(kernel.inputs)})",
           "    kink = np.zeros(X.shape[0], dtype=np.int64)",
           '    with np.errstate(all="ignore"):']
    for s, assign, tests in kept:
        if assign:
            out.append(f"        {s.var} = {s.text}  # {s.comment}")
        out += [f"        kink = np.where((kink == 0) & ({cond}), {omega}, kink)"
                for cond, omega in tests]
    return out + ["    return kink"]


def _np_main(kernel: Kernel, name: str, kinks: bool) -> list[str]:
    n_in = len(kernel.inputs)
    warn = KINK_WARNING.format(line="{number}", omega="{kink}")
    return ["", "", "def _point(fields):",
            f'    """The first {n_in} numbers of a line (as C reads them), else None."""',
            "    try:",
            f"        return [float(t) for t in fields[:{n_in}]] if len(fields) >= {n_in} "
            "else None",
            "    except ValueError:",
            "        return None",
            "", "", "def _main():", "    import sys", "",
            "    lines = [(number, line.split()) for number, line in enumerate(sys.stdin, 1)]",
            "    lines = [(number, _point(fields)) for number, fields in lines",
            f"             if fields or not {n_in}]",
            f"    X = np.array([p if p is not None else [0.0] * {n_in} for _, p in lines],",
            f"                 dtype=float).reshape(len(lines), {n_in})",
            f"    *groups, bad = {name}(X, errors=True)",
            f"    kinks = {name}_on_kink(X).tolist()" if kinks else "    kinks = [0] * len(lines)",
            "    out = np.hstack(groups)",
            "    rows = zip(lines, out.tolist(), bad.tolist(), kinks)",
            "    for (number, point), row, omega, kink in rows:",
            "        if point is None:",
            f"            print('error: expected {n_in} numbers')",
            "            continue",
            "        if omega:",
            "            print(f'error: domain error at ω{omega}')",
            "            continue",
            "        if kink:",
            f'            print(f"{warn}", file=sys.stderr)',
            "        print(' '.join('%.17g' % v for v in row))",
            "", "", 'if __name__ == "__main__":', "    _main()"]


# --- JavaScript ---------------------------------------------------------------------

_JS_ERF = """// erf and erfc (JavaScript has none): series near 0, continued fraction
// beyond, as CPython's math module computed them before it used libm.
function _erfSeries(x) {
  const x2 = x * x;
  let acc = 0.0, fk = 25 + 0.5;
  for (let i = 0; i < 25; i++) { acc = 2.0 + x2 * acc / fk; fk -= 1.0; }
  return acc * x * Math.exp(-x2) / Math.sqrt(Math.PI);
}
function _erfcContfrac(x) {
  if (x >= 30.0) return 0.0;
  const x2 = x * x;
  let a = 0.0, da = 0.5, p = 1.0, pLast = 0.0, q = da + x2, qLast = 1.0;
  for (let i = 0; i < 50; i++) {
    a += da; da += 2.0;
    const b = da + x2;
    let t = p; p = b * p - a * pLast; pLast = t;
    t = q; q = b * q - a * qLast; qLast = t;
  }
  return p / q * x * Math.exp(-x2) / Math.sqrt(Math.PI);
}
function _erf(x) {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 1.5) return _erfSeries(x);
  const cf = _erfcContfrac(ax);
  return x > 0 ? 1.0 - cf : cf - 1.0;
}
function _erfc(x) {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 1.5) return 1.0 - _erfSeries(x);
  const cf = _erfcContfrac(ax);
  return x > 0 ? cf : 2.0 - cf;
}
"""

_JS_G17 = r"""// C's printf("%.17g"), so every target prints the same text.
function g17(v) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const [mant, exp] = v.toExponential(16).split("e");
  const e = Number(exp);
  if (e < -4 || e >= 17) {
    const m = mant.includes(".") ? mant.replace(/0+$/, "").replace(/\.$/, "") : mant;
    return m + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  }
  const fixed = v.toFixed(16 - e);
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}
"""


def emit_js(kernel: Kernel, name: str, main: bool = False) -> str:
    lang = JS()
    stmts, results, _ = statements(kernel, lang, lambda i: f"x[{i}]")
    body = []
    for s in stmts:
        body.append(f"  const {s.var} = {_kinked(s, '_kink')}; // {s.comment}")
        for cond, omega in s.check:  # one at most: no flag_kinks here
            body.append(f"  if ({cond}) throw new RangeError(\"domain error at ω{omega}\");")
    kink = _js_kink_function(kernel, name)
    source = "\n".join(body + kink)
    out = _block_comment(kernel, "js", name)
    out += [" * An ES module (node and browsers).  " + name + "(x) takes the inputs as an",
            " * array and returns {" + ", ".join(g for g, _, _ in results) + "} as flat "
            "arrays; it throws a RangeError",
            " * where adcli reports a domain error.", " */", ""]
    if "_erf" in source:
        out.append(_JS_ERF)
    if "_kink(" in source:
        out += ["function _kink(p, atKink) {", "  return atKink && Number.isNaN(p) ? 0 : p;",
                "}", ""]
    out += triplet_lines(kernel, name, "js")
    out += [f"export function {name}(x) {{"] + body
    fields = ", ".join(f"{g}: [{', '.join(codes)}]" for g, codes, _ in results)
    out += [f"  return {{ {fields} }};", "}"] + kink
    if main:
        out += _js_main(kernel, name, results, bool(kink))
    return "\n".join(out) + "\n"


def _js_kink_function(kernel: Kernel, name: str) -> list[str]:
    """``NAME_on_kink(x)``: as C's (none without kinks)."""
    kept = kink_tests(kernel, JS(), lambda i: f"x[{i}]")
    if not kept:
        return []
    doc = [line.format(x="x") for line in _KINK_DOC]
    out = ["", f"/** {doc[0]}", f" * {doc[1]} */", f"export function {name}_on_kink(x) {{"]
    for s, assign, tests in kept:
        if assign:
            out.append(f"  const {s.var} = {s.text}; // {s.comment}")
        out += [f"  if ({cond}) return {omega};" for cond, omega in tests]
    return out + ["  return 0;", "}"]


def _js_main(kernel: Kernel, name: str, results: Sequence[Result], kinks: bool) -> list[str]:
    groups = ", ".join(f"...r.{g}" for g, _, _ in results)
    warn = KINK_WARNING.format(line='" + number + "', omega='" + omega + "')
    return ["", _JS_G17, 'import { readFileSync } from "node:fs";', "",
            'const lines = readFileSync(0, "utf8").split("\\n");',
            "for (let number = 1; number <= lines.length; number++) {",
            "  const fields = lines[number - 1].trim().split(/\\s+/).filter((t) => t.length > 0);",
            f"  if (fields.length === 0 && {len(kernel.inputs)} > 0) continue;",
            f"  const x = fields.slice(0, {len(kernel.inputs)}).map(Number);",
            f"  if (fields.length < {len(kernel.inputs)} || x.some((v, k) => Number.isNaN(v) "
            "&& fields[k].toLowerCase() !== \"nan\")) {",
            f'    console.log("error: expected {len(kernel.inputs)} numbers");',
            "    continue;", "  }",
            "  let r;",
            f"  try {{ r = {name}(x); }}",
            '  catch (e) { console.log("error: " + e.message); continue; }'] + ([
            f"  const omega = {name}_on_kink(x);",
            f'  if (omega !== 0) process.stderr.write("{warn}\\n");'] if kinks else []) + [
            f'  console.log([{groups}].map(g17).join(" "));',
            "}"]


EMITTERS: dict[str, Callable[[Kernel, str, bool], str]] = {
    "c": emit_c, "python": emit_python, "numpy": emit_numpy, "js": emit_js}


# --- entry point --------------------------------------------------------------

@without_gc  # a DAG node per term, and no cycles: spare the cyclic collector
def generate(fn: FunctionLike, lang: str = "c", *, mode: str = "auto", order: int = 1,
             direction: Mapping[str, Any] | Sequence[Any] | None = None,
             cotangent: Mapping[str, Any] | Sequence[Any] | None = None,
             name: str | None = None, main: bool = False, inputs: Sequence[str] | None = None,
             output: int | str | None = None, sparse: bool = False) -> str:
    """Source text of the derivative program of ``fn`` in ``lang``; with
    ``sparse`` the Jacobian's or Hessian's nonzeros only (adcli/codegen/sparse.py)."""
    if sparse and (direction is not None or cotangent is not None):
        raise UsageError("a direction or cotangent gives one vector (one sweep whatever "
                         "the sparsity): `sparse` does not apply",
                         params=("sparse", "direction" if direction is not None
                                 else "cotangent"))

    if lang not in LANGS:
        raise UsageError(f"unknown language `{lang}`", hint=f"use one of {', '.join(LANGS)}")
    if order not in (1, 2):
        raise UsageError("`order` must be 1 or 2", params=("order",))
    if inputs is not None:
        listed = set(inputs)  # one look-up per input, not a scan of the list
        missing = [v for v in fn.inputs if v not in listed]
        if missing:
            raise UsageError(f"`inputs` lacks {', '.join(missing)}", params=("inputs",),
                             hint=f"the formula's inputs are {', '.join(fn.inputs)}")
    name = name or "adcli_f"
    if not name.isidentifier() or not name.isascii():
        raise UsageError(f"`name` {name!r} is not a valid identifier", params=("name",))
    kernel = Kernel(fn, mode=mode, order=order, direction=direction, cotangent=cotangent,
                    inputs=inputs, output=output, sparse=sparse)
    return EMITTERS[lang](kernel, name, main)
