"""adcli/sparse/colouring.py on its own: the colourings are valid by checks
written here, independently of the module's own ``is_distance2``/``is_star``
(a compressed Jacobian or Hessian, with numbers, decompressed exactly), and
use the known number of colours on known patterns (diagonal, arrow, banded,
block diagonal, dense).  Colouring by the conflict graph and by the groups,
and both star colourings, are compared on random patterns in
``tests/test_sparse_pattern.py``."""

import random

import pytest

from adcli.sparse import colouring as C

# --- patterns ---------------------------------------------------------------------------
# A Jacobian pattern is its rows, each the columns it reads; a Hessian's is
# symmetric, given as its adjacency (row i: the columns j with Hᵢⱼ ≠ 0).


def diagonal(n):
    return [{i} for i in range(n)]


def banded(n, beta):
    return [{j for j in range(i - beta, i + beta + 1) if 0 <= j < n} for i in range(n)]


def arrow(n):
    """Row and column 0 full, and the diagonal."""
    return [set(range(n))] + [{0, i} for i in range(1, n)]


def block_diagonal(n, k):
    return [set(range(i // k * k, min(n, i // k * k + k))) for i in range(n)]


def dense(n):
    return [set(range(n)) for _ in range(n)]


def random_symmetric(rng, n, p):
    adj = [{i} for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if rng.random() < p:
                adj[i].add(j)
                adj[j].add(i)
    return adj


# --- independent checks: compress, then read every nonzero back --------------------------

def values_on(pattern, seed=0):
    """A matrix with this pattern (a dict {(i, j): value}; symmetric if the pattern is),
    its numbers small integers so that sums are exact."""
    rng = random.Random(seed)
    m = {}
    for i, row in enumerate(pattern):
        for j in row:
            if (j, i) in m and i in pattern[j]:
                m[(i, j)] = m[(j, i)]
            else:
                m[(i, j)] = rng.randint(1, 1000)
    return m


def jacobian_recovers(rows, n, colours):
    """Forward mode: one J·d per colour (d sums the columns of that colour).
    The colouring is good when every Jᵢⱼ is that product's row i."""
    m = values_on(rows)
    products = {}
    for (i, j), v in m.items():
        products[(i, colours[j])] = products.get((i, colours[j]), 0) + v
    return all(products[(i, colours[j])] == v for (i, j), v in m.items()) and n == len(colours)


def hessian_recovers(adj, colours):
    """One H·d per colour; star colouring reads every Hᵢⱼ directly: as row i
    of the product of j's colour, or as row j of the product of i's colour."""
    m = values_on(adj, seed=1)
    products = {}
    for (i, j), v in m.items():
        products[(i, colours[j])] = products.get((i, colours[j]), 0) + v
    return all(products[(i, colours[j])] == v or products[(j, colours[i])] == v
               for (i, j), v in m.items())


def test_the_independent_checks_refuse_bad_colourings():
    rows = [[0, 1], [1, 2]]
    assert not jacobian_recovers(rows, 3, [0, 0, 1])
    assert jacobian_recovers(rows, 3, [0, 1, 0])
    path = banded(4, 1)
    assert not hessian_recovers(path, [0, 1, 0, 1])  # a two-coloured path of four
    assert not hessian_recovers(path, [0, 0, 1, 2])  # neighbours alike
    assert hessian_recovers(path, [0, 1, 2, 0])


# --- Jacobians: distance-2 colouring ------------------------------------------------------

@pytest.mark.parametrize("rows, n, colours", [
    ([[i] for i in range(50)], 50, 1),  # diagonal: one sweep for all
    ([sorted(r) for r in banded(50, 1)], 50, 3),  # tridiagonal
    ([sorted(r) for r in banded(50, 2)], 50, 5),  # pentadiagonal: its bandwidth
    ([list(range(30))], 30, 30),  # one dense row (a gradient): every column differs
    ([[0, i] for i in range(1, 40)], 40, 2),  # a column every row reads, and one more each
    ([sorted(r) for r in block_diagonal(60, 4)], 60, 4),
    ([], 5, 1),  # no nonzeros: one colour will do
    ([[0], [0], [0]], 1, 1),
])
def test_jacobian_colourings_are_valid_with_the_known_number_of_colours(rows, n, colours):
    got = C.distance2_colouring(rows, n)
    assert len(got) == n and min(got, default=0) >= 0
    assert jacobian_recovers(rows, n, got)
    assert C.n_colours(got) == colours


def test_a_jacobian_with_no_columns_has_no_colours():
    assert C.distance2_colouring([], 0) == [] and C.n_colours([]) == 0


@pytest.mark.parametrize("seed", range(12))
def test_random_jacobian_colourings_decompress_exactly(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 60)
    sizes = [1, 2, 3, 5, n // 2 + 1]  # some rows partly dense (the groups' path)
    rows = [rng.sample(range(n), min(n, rng.choice(sizes))) for _ in range(rng.randint(1, 40))]
    colours = C.distance2_colouring(rows, n)
    assert jacobian_recovers(rows, n, colours)
    # no fewer than the longest row, no more than the most any column conflicts with + 1
    conflicts = C.conflict_graph(rows, n)
    assert max(map(len, rows)) <= C.n_colours(colours) <= max(map(len, conflicts)) + 1


@pytest.mark.parametrize("seed", range(6))
def test_partly_dense_jacobians_decompress_exactly(seed):
    # rows reading half the columns: coloured from the rows themselves, not
    # from the conflict graph (which would be quadratic)
    rng = random.Random(seed)
    n = 200
    rows = [rng.sample(range(n), 100) for _ in range(8)] + [[i, i + 1] for i in range(n - 1)]
    assert sum(len(r) ** 2 for r in rows) > C._CONFLICT_BUDGET * (n + sum(map(len, rows)))
    colours = C.distance2_colouring(rows, n)
    assert jacobian_recovers(rows, n, colours)
    assert 100 <= C.n_colours(colours) <= n


def test_the_conflict_graph_joins_columns_that_share_a_row():
    assert C.conflict_graph([[0, 1], [1, 2], [3]], 5) == [{1}, {0, 2}, {1}, set(), set()]


# --- Hessians: star colouring --------------------------------------------------------------

@pytest.mark.parametrize("adj, colours", [
    (diagonal(40), 1),  # one Hessian-vector product gives the whole diagonal
    (arrow(40), 2),  # the hub, then every other variable together
    (banded(40, 1), 3),  # tridiagonal
    (block_diagonal(40, 4), 4),
    (dense(12), 12),
    ([{0, 1}, {0, 1}], 2),
    ([set()], 1),
])
def test_hessian_colourings_are_valid_with_the_known_number_of_colours(adj, colours):
    got = C.star_colouring(adj)
    assert hessian_recovers(adj, got)
    assert C.n_colours(got) == colours


def test_an_arrow_colours_its_hub_alone():
    colours = C.star_colouring(arrow(100))
    assert colours[0] not in colours[1:] and len(set(colours[1:])) == 1


def test_a_wider_band_is_valid_and_its_colours_stay_bounded():
    # a band of half-width 2 holds triangles (3 colours at least); greedy star
    # colouring needs 5 or 6 however long the band, never a colouring that loses a nonzero
    for n in (5, 17, 60, 301):
        colours = C.star_colouring(banded(n, 2))
        assert hessian_recovers(banded(n, 2), colours)
        assert 3 <= C.n_colours(colours) <= 6


@pytest.mark.parametrize("seed", range(12))
def test_random_hessian_colourings_decompress_exactly(seed):
    rng = random.Random(seed)
    adj = random_symmetric(rng, rng.randint(1, 40), rng.choice([0.05, 0.15, 0.4]))
    if seed % 3 == 0:  # a variable coupled to all: the running-sums path
        for j in range(len(adj)):
            adj[0].add(j)
            adj[j].add(0)
    colours = C.star_colouring(adj)
    assert hessian_recovers(adj, colours)
    assert C.n_colours(colours) <= len(adj)


def test_self_loops_do_not_change_the_colouring():
    with_diagonal = banded(30, 1)
    without = [row - {i} for i, row in enumerate(with_diagonal)]
    assert C.star_colouring(with_diagonal) == C.star_colouring(without)
    assert with_diagonal[0] == {0, 1}  # the caller's sets are left alone


# --- the vertex orders --------------------------------------------------------------------

def test_smallest_last_removes_a_least_degree_vertex_each_time():
    rng = random.Random(3)
    adj = [row - {i} for i, row in enumerate(random_symmetric(rng, 30, 0.2))]
    order = C.smallest_last(adj)
    assert sorted(order) == list(range(30))
    removal = list(reversed(order))
    left = set(range(30))
    for v in removal:
        degree = {u: len(adj[u] & left) for u in left}
        assert degree[v] == min(degree.values())
        left.remove(v)


def test_largest_first_orders_by_degree():
    adj = [{1}, {0, 2, 3}, {1}, {1, 2}]
    order = C.largest_first(adj)
    assert order[0] == 1 and sorted(order) == [0, 1, 2, 3]
    degrees = [len(adj[v]) for v in order]
    assert degrees == sorted(degrees, reverse=True)


def test_the_modules_own_checks_agree_with_decompression():
    rng = random.Random(11)
    for _ in range(40):
        adj = random_symmetric(rng, 8, 0.4)
        colours = [rng.randrange(4) for _ in range(8)]
        # with a nonzero diagonal, star colourings are exactly those read directly
        assert C.is_star(adj, colours) == hessian_recovers(adj, colours)
        rows = [sorted(rng.sample(range(8), 3)) for _ in range(5)]
        assert C.is_distance2(rows, colours) == jacobian_recovers(rows, 8, colours)
