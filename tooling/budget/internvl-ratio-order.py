"""Writes the order in which InternVL's dynamic_preprocess visits its candidate tile grids.

InternVL builds its candidate (columns, rows) grids as a Python set and sorts them by tile
count with a stable sort, so grids with the same count keep the set's iteration order, which
CPython derives from the tuples' hashes. When two such grids are equally close to the image's
aspect ratio the later one can win, so the explorer needs that order; this script records it
for every max_num the explorer offers. Run with Debian's Python 3 (`/usr/bin/python3`).
"""
import json
import sys

MAX_NUM = 24


def candidate_order(min_num, max_num):
    # The expression of InternVL's README (dynamic_preprocess), evaluated as it is there.
    ratios = set(
        (i, j)
        for n in range(min_num, max_num + 1)
        for i in range(1, n + 1)
        for j in range(1, n + 1)
        if i * j <= max_num and i * j >= min_num
    )
    return [list(r) for r in sorted(ratios, key=lambda x: x[0] * x[1])]


orders = {str(m): candidate_order(1, m) for m in range(1, MAX_NUM + 1)}
json.dump({"python": sys.version.split()[0], "minNum": 1, "orders": orders}, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
