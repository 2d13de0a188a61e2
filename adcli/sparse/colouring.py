"""Greedy graph colourings for compressed derivative sweeps.

* Jacobian, forward mode: columns that share a row must differ (a
  distance-2 colouring of the columns in the bipartite row/column graph);
  reverse mode colours rows the same way.  One sweep per colour.
* Hessian: a *star* colouring of the adjacency graph (Gebremedhin, Manne &
  Pothen, SIAM Review 2005, Alg. 4.1): adjacent vertices differ and every
  path on four vertices uses at least three colours, so each nonzero Hᵢⱼ is
  read directly from one compressed Hessian-vector product.

Vertices are coloured greedily in *smallest-last* order (Matula & Beck), and
also *largest-first*; the colouring with fewer colours wins.
"""

from __future__ import annotations


def smallest_last(adj: list[set[int]] | list[list[int]]) -> list[int]:
    """Repeatedly remove a vertex of least remaining degree; colour in the
    reverse of the removal order.  Bucket queue: linear in the graph."""
    n = len(adj)
    degree = [len(a) for a in adj]
    buckets: dict[int, set[int]] = {}
    for v, d in enumerate(degree):
        buckets.setdefault(d, set()).add(v)
    removed = bytearray(n)
    order = []
    low = 0
    for _ in range(n):
        while not buckets.get(low):
            low += 1
        v = buckets[low].pop()
        removed[v] = 1
        order.append(v)
        for w in adj[v]:
            if not removed[w]:
                d = degree[w]
                buckets[d].discard(w)
                degree[w] = d - 1
                buckets.setdefault(d - 1, set()).add(w)
        low = max(low - 1, 0)
    order.reverse()
    return order


def largest_first(adj: list[set[int]] | list[list[int]]) -> list[int]:
    return sorted(range(len(adj)), key=lambda v: -len(adj[v]))


def _best(colour_with, adj) -> list[int]:
    best: list[int] | None = None
    for order in (smallest_last(adj), largest_first(adj)):
        colours = colour_with(adj, order)
        if best is None or max(colours, default=-1) < max(best, default=-1):
            best = colours
    assert best is not None  # two orders were tried
    return best


def _greedy(adj, order) -> list[int]:
    colour = [-1] * len(adj)
    for v in order:
        taken = {colour[w] for w in adj[v]}
        c = 0
        while c in taken:
            c += 1
        colour[v] = c
    return colour


def conflict_graph(groups: list[list[int]], n: int) -> list[set[int]]:
    """Vertices 0..n-1; two vertices conflict when some group holds both
    (columns sharing a row, or rows sharing a column)."""
    adj: list[set[int]] = [set() for _ in range(n)]
    for g in groups:
        for v in g:
            adj[v].update(g)
    for v in range(n):
        adj[v].discard(v)
    return adj


# The conflict graph costs the sum of the groups' squared sizes; past this
# many times the size of the pattern, colour from the groups instead.
_CONFLICT_BUDGET = 32


def distance2_colouring(groups: list[list[int]], n: int) -> list[int]:
    """Colours of n vertices such that no group holds two of one colour."""
    if any(len(g) == n for g in groups) and n > 1:
        # One group holds every vertex (a gradient's row, a column every
        # output reads): all differ, n colours, without the n² conflict graph.
        return list(range(n))
    size = n + sum(map(len, groups))
    if sum(len(g) * len(g) for g in groups) <= _CONFLICT_BUDGET * size:
        return _best(_greedy, conflict_graph(groups, n))
    # Partly dense groups (a row reading half the inputs): the conflict graph
    # would be quadratic; greedy over the groups themselves is not.
    member_of: list[list[int]] = [[] for _ in range(n)]
    for gi, g in enumerate(groups):
        for v in g:
            member_of[v].append(gi)
    best: list[int] | None = None
    for order in (_bound_largest_first(groups, member_of), range(n)):
        colours = _greedy_by_groups(groups, member_of, order)
        if best is None or n_colours(colours) < n_colours(best):
            best = colours
    assert best is not None  # two orders were tried
    return best


def _bound_largest_first(groups, member_of) -> list[int]:
    """Largest first by the bound Σ (|g| − 1) over the vertex's groups on its
    number of conflicts (the exact count needs the conflict graph)."""
    sizes = [len(g) - 1 for g in groups]
    bound = [sum(sizes[gi] for gi in gs) for gs in member_of]
    return sorted(range(len(member_of)), key=bound.__getitem__, reverse=True)


def _greedy_by_groups(groups, member_of, order) -> list[int]:
    """The greedy colouring of the conflict graph in ``order`` (the same
    colours as :func:`_greedy` on it), without building it.  Each group
    keeps its colours as a "next free colour" forest (``nxt[c]``: a colour
    to try after the taken colour c, path-compressed), so a vertex's least
    free colour is found by jumping over whole runs of taken colours: about
    its groups times the groups' jumps, not a scan of a dense row's colours."""
    nexts: list[dict[int, int]] = [{} for _ in groups]
    colour = [-1] * len(member_of)
    for v in order:
        forests = [nexts[gi] for gi in member_of[v]]
        c = 0
        moved = True
        while moved:
            moved = False
            for nxt in forests:
                if c in nxt:
                    c = _next_free(nxt, c)
                    moved = True
        colour[v] = c
        for nxt in forests:
            nxt[c] = c + 1
    return colour


def _next_free(nxt: dict[int, int], c: int) -> int:
    """The least colour ≥ c not taken in the group of ``nxt``; compresses the path."""
    root = c
    while root in nxt:
        root = nxt[root]
    while c != root:
        nxt[c], c = root, nxt[c]
    return root


def _star_scans(adj, order) -> list[int]:
    """Algorithm 4.1 as written: for each neighbour, scans two steps further
    (degree³ per vertex: the quickest for a narrow band)."""
    colour = [-1] * len(adj)
    forbidden = [-1] * (len(adj) + 1)  # forbidden[c] == v: c is barred for v
    for v in order:
        for w in adj[v]:
            cw = colour[w]
            if cw >= 0:
                forbidden[cw] = v
        for w in adj[v]:
            cw = colour[w]
            if cw < 0:
                for x in adj[w]:  # a coloured x two steps away: not its colour
                    if colour[x] >= 0:
                        forbidden[colour[x]] = v
                continue
            for x in adj[w]:
                cx = colour[x]
                if cx < 0 or x == v:
                    continue
                # v-w-x-y with colour[y] == colour[w] would be a bicoloured P4
                for y in adj[x]:
                    if y != w and colour[y] == cw:
                        forbidden[cx] = v
                        break
        c = 0
        while forbidden[c] == v:
            c += 1
        colour[v] = c
    return colour


def _star_sums(adj, order) -> list[int]:
    """Algorithm 4.1 of Gebremedhin, Manne & Pothen, with its two-hop scans
    kept as running sums, so that a vertex of huge degree (one variable
    coupled to all: an arrow-shaped Hessian) costs its degree once rather
    than once per neighbour; the colours are those of the scans.

    For v, the algorithm forbids the colours of: v's coloured neighbours w;
    the coloured neighbours x of an uncoloured neighbour w (kept as
    ``seen[w]``, colour -> how many of w's neighbours have it); and each
    coloured x next to a coloured w where x has another neighbour y ≠ w
    coloured like w (a two-coloured path v-w-x-y would follow), kept per w
    as ``barred[w]``."""
    n = len(adj)
    colour = [-1] * n
    seen: list[dict[int, int]] = [{} for _ in range(n)]
    first: list[dict[int, int]] = [{} for _ in range(n)]  # colour -> w's first such neighbour
    barred: list[set[int]] = [set() for _ in range(n)]
    for v in order:
        forbidden = set()
        for w in adj[v]:
            cw = colour[w]
            if cw >= 0:
                forbidden.add(cw)
                forbidden |= barred[w]
            else:
                forbidden.update(seen[w])
        c = 0
        while c in forbidden:
            c += 1
        colour[v] = c
        counts = seen[v]
        for w in adj[v]:
            cw = colour[w]
            if cw >= 0:
                # v as x: w sees v, which has another neighbour coloured like w
                if counts.get(cw, 0) >= 2:
                    barred[w].add(c)
                # v as y (or as w): x = w now has one more neighbour coloured c
                k = seen[w].get(c, 0)
                if k >= 1:
                    barred[v].add(cw)
                    if k == 1:
                        barred[first[w][c]].add(cw)
            seen_w = seen[w]
            k = seen_w.get(c, 0)
            seen_w[c] = k + 1
            if k == 0:
                first[w][c] = v
    return colour


_SCAN_DEGREE = 8


def star_colouring(adj: list[set[int]]) -> list[int]:
    """A star colouring of the graph ``adj`` (self loops ignored)."""
    plain = [set(a) - {v} for v, a in enumerate(adj)]
    # Both give the same colours; the scans are quicker below this degree.
    narrow = max(map(len, plain), default=0) <= _SCAN_DEGREE
    return _best(_star_scans if narrow else _star_sums, plain)


def n_colours(colours: list[int]) -> int:
    return max(colours, default=-1) + 1


# --- independent checks (the tests use these; decompression does not) -------

def is_distance2(groups: list[list[int]], colours: list[int]) -> bool:
    for g in groups:
        seen = [colours[v] for v in g]
        if len(set(seen)) != len(seen):
            return False
    return True


def is_star(adj: list[set[int]], colours: list[int]) -> bool:
    """Adjacent vertices differ, and no path on four vertices is two-coloured."""
    plain = [set(a) - {v} for v, a in enumerate(adj)]
    for v, ws in enumerate(plain):
        for w in ws:
            if colours[v] == colours[w]:
                return False
    for v, ws in enumerate(plain):
        for w in ws:
            for x in plain[w]:
                if x == v or colours[x] != colours[v]:
                    continue
                for y in plain[x]:
                    if y not in (v, w) and colours[y] == colours[w]:
                        return False
    return True
