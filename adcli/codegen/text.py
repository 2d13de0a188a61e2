"""Print derivative DAGs as adcli programs (or LaTeX): a subexpression used
more than once is written once, as an assignment ``t1 = cos(x)``, and
every other one inline, with the printer's precedence rules."""

from ..graph.dag import CONST, VAR, postorder
from ..language.printer import _ATOM, _print, latex_name, subscript_name
from .symbolic import operation_nodes


def shared_nodes(roots):
    """Operation nodes read more than once (by other nodes or as roots)."""
    order = operation_nodes(roots)
    uses = {}
    for node in order:
        for a in node.args:
            if a.op not in (CONST, VAR):
                uses[a.id] = uses.get(a.id, 0) + 1
    for r in roots:
        uses[r.id] = uses.get(r.id, 0) + 1
    return order, {n.id for n in order if uses.get(n.id, 0) > 1}


def temp_prefix(taken):
    """``t`` unless the formula has a variable ``t1``-like name already."""
    prefix = "t"
    while any(name.startswith(prefix) and name[len(prefix):].isdigit() for name in taken):
        prefix += "_"
    return prefix


def assignments(roots, style="ascii", taken=()):
    """(lines, texts): ``lines`` are (temp name, text) assignments in order;
    ``texts`` the text of each root (a temp's name when it is shared)."""
    _, shared = shared_nodes(roots)
    prefix = temp_prefix(taken)
    done = {}
    lines = []

    def leaf(node):
        return subscript_name(node.name, style) if style != "ascii" else node.name

    for node in postorder(roots):
        text, prec, is_leaf = _print(node, style, leaf, done)
        if node.id in shared:
            name = f"{prefix}{len(lines) + 1}"
            shown = f"{prefix}_{{{len(lines) + 1}}}" if style == "latex" else name
            lines.append((shown, str(text)))
            done[node.id] = (shown, _ATOM, True)
        else:
            done[node.id] = (text, prec, is_leaf)
    texts = []
    for r in roots:
        if r.id in done:
            texts.append(str(done[r.id][0]))
        else:
            texts.append(str(_print(r, style, leaf, done)[0]))
    return lines, texts


def program(roots, taken=()):
    """One adcli program whose outputs are ``roots`` (valid adcli input)."""
    lines, texts = assignments(roots, "ascii", taken)
    body = [f"{name} = {text}" for name, text in lines]
    body.append(", ".join(texts))
    return "\n".join(body)


def labelled(roots, labels, style="ascii", taken=()):
    """The shared assignments, then ``label = text`` per root."""
    lines, texts = assignments(roots, style, taken)
    if style == "latex":
        out = [f"{name} &= {text}" for name, text in lines]
        out += [f"{_latex_label(label)} &= {text}" for label, text in zip(labels, texts)]
        return "\\begin{aligned}\n" + " \\\\\n".join(out) + "\n\\end{aligned}"
    out = [f"{name} = {text}" for name, text in lines]
    out += [f"{label} = {text}" for label, text in zip(labels, texts)]
    return "\n".join(out)


def _latex_label(label):
    """``df/dx1`` → ``\\frac{\\partial f}{\\partial x_{1}}``."""
    top, var = label[1:].split("/d", 1)
    return (f"\\frac{{\\partial {latex_name(top)}}}"
            f"{{\\partial {subscript_name(var, 'latex')}}}")
