"""Sparsity patterns from the tape against brute force (the nonzeros of the
dense Jacobian/Hessian at random points), colourings checked on their own
terms, and the ``adcli sparsity`` formats read back."""

import json
import random

import pytest

import adcli
from adcli.sparse import colouring as C
from adcli.sparse.pattern import hessian_pattern, jacobian_pattern, structure
from tests.conftest import adcli_process

UNARY = ["sin", "exp", "tanh", "atan", "cosh"]
BINARY = ["+", "*", "/"]


def tree(rng, names, depth):
    """A formula over ``names`` using each name once: no structural
    cancellation can hide a nonzero, so the pattern must be exact."""
    if len(names) == 1 or depth == 0:
        if len(names) == 1:
            leaf = names[0]
            return f"{leaf}^{rng.choice([2, 3])}" if rng.random() < 0.2 else leaf
        return "(" + "+".join(names) + ")"
    r = rng.random()
    if r < 0.3:
        return f"{rng.choice(UNARY)}({tree(rng, names, depth - 1)})"
    cut = rng.randint(1, len(names) - 1)
    op = rng.choice(BINARY)
    left, right = tree(rng, names[:cut], depth - 1), tree(rng, names[cut:], depth - 1)
    if op == "/":
        right = f"(2 + {right}^2)"
    return f"({left} {op} {right})"


def random_program(rng):
    """Programs with a shared subexpression used nonlinearly and linearly."""
    names = [f"x{i}" for i in range(rng.randint(2, 7))]
    rng.shuffle(names)
    k = rng.randint(1, len(names))
    a = tree(rng, names[:k], 3)
    rest = names[k:]
    b = tree(rng, rest, 3) if rest else "1"
    use = rng.choice(["a*b + sin(a)", "exp(a) + b", "a + b", "a*a + b", "(a + 1)*b"])
    return f"a = {a}\nb = {b}\n{use}", sorted(set(names), key=lambda s: int(s[1:]))


def dense_nonzeros(f, names, rng, points=2):
    hess, jac = set(), set()
    for _ in range(points):
        p = {v: rng.uniform(0.3, 1.2) for v in names}
        h = f.hessian(p).matrix()
        hess |= {(i, j) for i in range(len(names)) for j in range(len(names)) if h[i][j]}
        g = f.gradient(p).jacobian
        jac |= {(r, names.index(v)) for r, row in enumerate(g) for v, d in row.items() if d}
    return jac, hess


def pattern_sets(f, names):
    tape = f.tape(names)
    jp, hp = jacobian_pattern(tape), hessian_pattern(tape)
    return set(zip(jp.rows, jp.cols)), set(zip(hp.rows, hp.cols))


@pytest.mark.parametrize("seed", range(40))
def test_patterns_equal_brute_force_on_random_programs(seed):
    rng = random.Random(seed)
    source, names = random_program(rng)
    f = adcli.compile(source)
    jac, hess = dense_nonzeros(f, names, rng)
    pj, ph = pattern_sets(f, names)
    assert pj == jac, source
    assert ph == hess, source


@pytest.mark.parametrize("seed", range(20))
def test_patterns_contain_every_nonzero_whatever_the_formula(seed):
    """With subtraction, min/max, abs and repeated variables the pattern may
    hold structural zeros (x - x), but never misses a nonzero."""
    rng = random.Random(1000 + seed)
    names = ["x", "y", "z"]
    atoms = names + ["2", "0.5"]

    def expr(d):
        if d == 0:
            return rng.choice(atoms)
        r = rng.random()
        if r < 0.3:
            return f"{rng.choice(UNARY + ['abs', 'sign'])}({expr(d - 1)})"
        if r < 0.4:
            return f"{rng.choice(['min', 'max', 'hypot'])}({expr(d - 1)}, {expr(d - 1)})"
        return f"({expr(d - 1)} {rng.choice(['+', '-', '*'])} {expr(d - 1)})"

    source = f"s = {expr(2)}\n{expr(2)} * s + s"
    f = adcli.compile(source)
    jac, hess = dense_nonzeros(f, names, rng, points=1)
    pj, ph = pattern_sets(f, names)
    assert jac <= pj, source
    assert hess <= ph, source


def test_second_order_structure_comes_from_the_rules():
    assert structure("mul")[1] == {(0, 1)}
    assert structure("add")[1] == frozenset()
    assert structure("div")[1] == {(0, 1), (1, 1)}
    assert structure("pow")[1] == {(0, 0), (0, 1), (1, 1)}
    assert structure("sin")[1] == {(0, 0)}
    assert structure("abs")[1] == frozenset()  # sign(x): piecewise constant
    assert structure("sign")[0] == (False,)


@pytest.mark.parametrize("source, hess", [
    ("x*y", {(0, 1), (1, 0)}),
    ("x+y", set()),
    ("x*2 + y", set()),
    ("x/y", {(0, 1), (1, 0), (1, 1)}),
    ("x^2 + y", {(0, 0)}),
    ("sign(x*y) + abs(x) + max(x, y)", set()),
])
def test_small_hessian_patterns(source, hess):
    f = adcli.compile(source)
    tape = f.tape(["x", "y"])
    p = hessian_pattern(tape)
    assert set(zip(p.rows, p.cols)) == hess


def test_several_outputs_hessian_pattern_follows_the_chosen_output():
    f = adcli.compile("x*y, z^2")
    tape = f.tape(["x", "y", "z"])
    assert set(zip(*_rc(hessian_pattern(tape, 0)))) == {(0, 1), (1, 0)}
    assert set(zip(*_rc(hessian_pattern(tape, 1)))) == {(2, 2)}


def _rc(p):
    return p.rows, p.cols


def test_chain_of_sums_is_linear_not_quadratic():
    """A left-folded sum of 20,000 squares: the pattern pass builds no
    growing index set (a quadratic pass would take minutes)."""
    n = 20000
    f = adcli.compile("+".join(f"x{i}^2" for i in range(n)))
    tape = f.tape([f"x{i}" for i in range(n)])
    p = hessian_pattern(tape)
    assert p.rows == list(range(n)) and p.cols == list(range(n))


# --- colourings ---------------------------------------------------------------------

def banded(n, beta):
    return [{j for j in range(i - beta, i + beta + 1) if 0 <= j < n} for i in range(n)]


def arrow(n):
    return [set(range(n))] + [{0, i} for i in range(1, n)]


def block_diagonal(n, k):
    return [set(range(i // k * k, min(n, i // k * k + k))) for i in range(n)]


@pytest.mark.parametrize("adj, best", [
    (banded(300, 1), 3),  # tridiagonal: 3 Hessian-vector products
    (banded(300, 2), 5),
    (arrow(300), 2),
    (block_diagonal(300, 4), 4),
    (block_diagonal(300, 1), 1),
])
def test_star_colourings_are_valid_and_within_one_of_the_optimum(adj, best):
    colours = C.star_colouring(adj)
    assert C.is_star(adj, colours)
    assert C.n_colours(colours) <= best + 1
    assert C.n_colours(colours) >= min(best, 3) or best < 3


def test_validity_checks_catch_bad_colourings():
    path = banded(6, 1)
    assert not C.is_star(path, [0, 1, 0, 1, 0, 1])  # a two-coloured path of four
    assert not C.is_star(path, [0, 0, 1, 2, 0, 1])  # neighbours alike
    assert not C.is_distance2([[0, 1], [1, 2]], [0, 0, 1])


@pytest.mark.parametrize("seed", range(10))
def test_random_colourings_are_valid(seed):
    rng = random.Random(seed)
    n = 60
    adj = [set() for _ in range(n)]
    for _ in range(rng.randint(30, 200)):
        i, j = rng.randrange(n), rng.randrange(n)
        adj[i].add(j)
        adj[j].add(i)
    assert C.is_star(adj, C.star_colouring(adj))
    groups = [rng.sample(range(n), rng.randint(1, 6)) for _ in range(40)]
    colours = C.distance2_colouring(groups, n)
    assert C.is_distance2(groups, colours)
    assert C.n_colours(colours) >= max(len(g) for g in groups)


def test_banded_jacobian_needs_its_bandwidth_in_colours():
    n = 200
    groups = [[j for j in (i - 1, i, i + 1) if 0 <= j < n] for i in range(n)]
    colours = C.distance2_colouring(groups, n)
    assert C.is_distance2(groups, colours) and C.n_colours(colours) == 3


# --- the command ------------------------------------------------------------------------

ROSEN = "(1 - x)^2 + 100*(y - x^2)^2 + (1 - y)^2 + 100*(z - y^2)^2"


def test_sparsity_plain_json_mtx_agree(run):
    plain = run("sparsity", ROSEN, "--hessian", "--format", "plain")
    assert plain.exit_code == 0
    pairs = [tuple(line.split()) for line in plain.output.splitlines()]
    assert pairs == [("x", "x"), ("x", "y"), ("y", "x"), ("y", "y"), ("y", "z"),
                     ("z", "y"), ("z", "z")]
    obj = json.loads(run("sparsity", ROSEN, "--hessian", "--format", "json").output)
    assert obj["shape"] == [3, 3] and obj["names"] == ["x", "y", "z"]
    names = obj["names"]
    assert [(names[r], names[c]) for r, c in zip(obj["rows"], obj["cols"])] == pairs
    assert obj["colours"] == {"hessian": 2}  # a path of three: y, then x and z alike
    mtx = run("sparsity", ROSEN, "--hessian", "--format", "mtx").output.splitlines()
    assert mtx[0] == "%%MatrixMarket matrix coordinate pattern symmetric"
    body = [line for line in mtx if not line.startswith("%")]
    assert body[0] == "3 3 5"
    lower = {(int(a) - 1, int(b) - 1) for a, b in (line.split() for line in body[1:])}
    idx = {(obj["rows"][k], obj["cols"][k]) for k in range(len(obj["rows"]))}
    assert lower | {(c, r) for r, c in lower} == idx


def test_sparsity_jacobian_of_a_program_in_a_subprocess():
    r = adcli_process("sparsity", "a = x*y; a + z, z*w, exp(w)", "--format", "json")
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["outputs"] == ["f1", "f2", "f3"] and obj["names"] == ["x", "y", "z", "w"]
    assert list(zip(obj["rows"], obj["cols"])) == [(0, 0), (0, 1), (0, 2), (1, 2), (1, 3),
                                                   (2, 3)]
    assert obj["colours"]["forward"] == 3 and obj["colours"]["reverse"] == 2


def test_sparsity_text_is_a_spy_plot_with_the_colour_count(run):
    r = run("sparsity", ROSEN, "--hessian", "--format", "text")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert "3×3, 7 nonzeros" in lines[0]
    assert "2 colours" in lines[1]
    assert lines[-3:] == ["██·", "███", "·██"]


def test_sparsity_input_order_from_at_and_errors(run):
    obj = json.loads(run("sparsity", "x*y", "--hessian", "--at", "y=1,x=2",
                         "--format", "json").output)
    assert obj["names"] == ["y", "x"]
    bad = run("sparsity", "x*y", "--at", "x=1")
    assert bad.exit_code == 2 and "`y`" in bad.output
    bad = run("sparsity", "x*(", "--format", "json")
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_both_star_colourings_give_the_same_colours():
    """The running-sums form (for huge degrees) against Algorithm 4.1's scans,
    on random graphs, some with a vertex coupled to all."""
    import random

    rng = random.Random(7)
    for _ in range(150):
        n = rng.randint(1, 30)
        adj = [set() for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                if rng.random() < 0.2:
                    adj[i].add(j)
                    adj[j].add(i)
        if rng.random() < 0.4:
            hub = rng.randrange(n)
            for j in set(range(n)) - {hub}:
                adj[hub].add(j)
                adj[j].add(hub)
        for order in (C.smallest_last(adj), rng.sample(range(n), n)):
            assert C._star_sums(adj, order) == C._star_scans(adj, order)


def test_a_20000_arrow_is_coloured_with_two_colours():
    # quadratic before: every leaf rescanned the hub's 20,000 neighbours
    n = 20_000
    adj = [set(range(1, n))] + [{0} for _ in range(1, n)]
    colours = C.star_colouring(adj)
    assert C.n_colours(colours) == 2 and colours[0] not in colours[1:]


def test_a_dense_row_is_coloured_without_its_conflict_graph():
    # a gradient's row holds every column: n forward colours at once (the
    # conflict graph would be n² edges), and auto mode does not even try
    n = 20_000
    assert C.distance2_colouring([list(range(n))], n) == list(range(n))
    assert C.distance2_colouring([[0, 1], [1, 2]], 3) in ([0, 1, 0], [1, 0, 1])
    from adcli.sparse import drivers as D

    f = adcli.compile("+".join(f"x{i}^2" for i in range(n)))
    tape = f.tape([f"x{i}" for i in range(n)])
    used, colours, _ = D.jacobian_plan(tape, list(range(n)))
    assert used == "reverse" and C.n_colours(colours) == 1


@pytest.mark.parametrize("seed", range(8))
def test_colouring_from_the_groups_is_the_conflict_graphs_greedy(seed):
    # the same colours as greedy on the conflict graph, in the same order,
    # with groups of every size (some partly dense)
    rng = random.Random(seed)
    n = 80
    groups = [rng.sample(range(n), rng.choice([1, 2, 3, 5, 40])) for _ in range(30)]
    member_of = [[gi for gi, g in enumerate(groups) if v in g] for v in range(n)]
    conflicts = C.conflict_graph(groups, n)
    for order in (list(range(n)), rng.sample(range(n), n),
                  C._bound_largest_first(groups, member_of)):
        by_groups = C._greedy_by_groups(groups, member_of, order)
        assert by_groups == C._greedy(conflicts, order)
        assert C.is_distance2(groups, by_groups)


def test_partly_dense_rows_are_coloured_in_linear_time():
    # a row reading half of 100,000 inputs, a banded rest and a column read
    # by every row (an arrow-shaped Jacobian): quadratic with the conflict
    # graph (2.5·10⁹ pairs), now n·maxdeg; the dense row's size is the optimum
    n = 100_000
    rows = [list(range(0, n, 2))] + [[0, i, i + 1] for i in range(1, n - 1)]
    colours = C.distance2_colouring(rows, n)
    assert C.is_distance2(rows, colours)
    assert C.n_colours(colours) == n // 2
