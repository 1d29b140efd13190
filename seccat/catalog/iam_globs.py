"""IAM ``StringLike`` patterns as languages: can two patterns match one string?

An OIDC trust names subjects as IAM globs (``*`` matches any run of characters, the empty
one included; ``?`` exactly one character; everything else itself, case-sensitively). Two
trusts share a principal when some token subject matches both, which is not string
equality: ``repo:o/r:*`` and ``repo:o/*:ref:refs/heads/main`` overlap. ``intersects``
decides it exactly, as emptiness of the product of the two patterns' automata.

Why a product automaton and not regular-expression tricks: the state space is the pairs of
positions (at most (m+1)(n+1)), every step is local, and a shortest witness falls out of a
breadth-first search, so a diagnostic can show one subject that both patterns accept.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterator, Sequence

STAR = "*"
ANY = "?"
WILDCARDS = frozenset(STAR + ANY)
#: What a witness shows for a position where any character would do.
FILLER = "x"


def has_wildcard(pattern: str) -> bool:
    return any(c in WILDCARDS for c in pattern)


def only_wildcards(pattern: str) -> bool:
    """``*``, ``?*``...: matches every string (of some length), whatever the issuer puts."""
    return all(c in WILDCARDS for c in pattern)


def matches(pattern: str, text: str) -> bool:
    """Whether ``text`` is in ``pattern``'s language (IAM ``StringLike`` and ARN matching;
    ``[`` is not special, as it is to fnmatch). A direct walk, no regular expression to
    compile: every secret's policy names its own ARN pattern, and compiling each was most
    of a 10,000-secret check's rule time."""
    star = -1
    mark = t = p = 0
    n, m = len(text), len(pattern)
    while t < n:
        if p < m and (pattern[p] == ANY or pattern[p] == text[t]):
            t += 1
            p += 1
        elif p < m and pattern[p] == STAR:
            star, mark = p, t
            p += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            t = mark
        else:
            return False
    while p < m and pattern[p] == STAR:
        p += 1
    return p == m


def literal_prefix(pattern: str) -> str:
    """The characters before the first wildcard: every match starts with them."""
    for i, c in enumerate(pattern):
        if c in WILDCARDS:
            return pattern[:i]
    return pattern


def literal_suffix(pattern: str) -> str:
    """The characters after the last wildcard: every match ends with them."""
    for i in range(len(pattern) - 1, -1, -1):
        if pattern[i] in WILDCARDS:
            return pattern[i + 1 :]
    return pattern


def _compatible(a: str, b: str, *, suffix: bool) -> bool:
    """One literal end is an end of the other (else no string can carry both)."""
    if suffix:
        return a.endswith(b) or b.endswith(a)
    return a.startswith(b) or b.startswith(a)


def witness(a: str, b: str) -> str | None:
    """A shortest string both patterns match, or None when their languages are disjoint.

    States are pairs (i, j) of positions in ``a`` and ``b``. A ``*`` may be skipped (an
    empty run) or consume a character and stay; ``?`` consumes any character; a literal
    consumes itself. A joint step consumes one character both sides accept; a step where
    both sides stay on a ``*`` is never needed (drop that character), so every useful step
    advances a position and a shortest witness is at most ``len(a) + len(b)`` long.
    """
    if not (
        _compatible(literal_prefix(a), literal_prefix(b), suffix=False)
        and _compatible(literal_suffix(a), literal_suffix(b), suffix=True)
    ):
        return None
    m, n = len(a), len(b)
    start, goal = (0, 0), (m, n)
    # 0-1 breadth-first search: skipping a star costs nothing, a character costs one, so
    # the first time the goal leaves the queue its path is a shortest witness.
    dist = {start: 0}
    parent: dict[tuple[int, int], tuple[tuple[int, int], str]] = {}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if state == goal:
            out: list[str] = []
            while state != start:
                state, char = parent[state]
                out.append(char)
            return "".join(reversed(out))
        for nxt, char in _steps(a, b, *state):
            cost = dist[state] + (1 if char else 0)
            if cost < dist.get(nxt, cost + 1):
                dist[nxt] = cost
                parent[nxt] = (state, char)
                if char:
                    queue.append(nxt)
                else:
                    queue.appendleft(nxt)
    return None


def intersects(a: str, b: str) -> bool:
    """Whether some string matches both patterns."""
    return witness(a, b) is not None


def _steps(a: str, b: str, i: int, j: int) -> Iterator[tuple[tuple[int, int], str]]:
    ca = a[i] if i < len(a) else None
    cb = b[j] if j < len(b) else None
    # empty runs of a star (no character consumed)
    if ca == STAR:
        yield (i + 1, j), ""
    if cb == STAR:
        yield (i, j + 1), ""
    if ca is None or cb is None:
        return
    # one character consumed on both sides; a star stays where it is
    ni = i if ca == STAR else i + 1
    nj = j if cb == STAR else j + 1
    if (ni, nj) == (i, j):
        return
    a_literal = ca not in WILDCARDS
    b_literal = cb not in WILDCARDS
    if a_literal and b_literal:
        if ca == cb:
            yield (ni, nj), ca
    elif a_literal:
        yield (ni, nj), ca
    elif b_literal:
        yield (ni, nj), cb
    else:
        yield (ni, nj), FILLER


def overlapping_pairs(patterns: Sequence[str]) -> Iterator[tuple[int, int, str]]:
    """(i, j, witness) for every pair i < j of ``patterns`` whose languages intersect.

    Two patterns can only intersect when one literal prefix starts the other; sorting by
    prefix turns "all pairs" into a walk over the few candidates that do, so a catalog of
    thousands of exact subjects is checked in O(n log n) plus the overlaps found.
    """
    prefixes = [literal_prefix(p) for p in patterns]
    order = sorted(range(len(patterns)), key=lambda k: prefixes[k])
    ordered = [prefixes[k] for k in order]
    tried: set[tuple[int, int]] = set()
    for i, prefix in enumerate(prefixes):
        # every pattern whose prefix starts with this one's (this one included)
        pos = bisect.bisect_left(ordered, prefix)
        while pos < len(ordered) and ordered[pos].startswith(prefix):
            j = order[pos]
            pos += 1
            if j == i:
                continue
            pair = (min(i, j), max(i, j))
            if pair in tried:
                continue
            tried.add(pair)
            shown = witness(patterns[pair[0]], patterns[pair[1]])
            if shown is not None:
                yield pair[0], pair[1], shown
