#!/usr/bin/env python3
"""Writes grains/GrainServe.Grains/Generation/UnicodeNormalization.txt from Python's unicodedata (Unicode 14.0.0 on
Python 3.11): the tables NFC and NFKC need, which .NET's string.Normalize does not apply under invariant globalization.

Lines (hex code points, space separated):
  d CP SEQ   CP's full canonical decomposition (NFD), where it is not CP itself
  k CP SEQ   CP's full compatibility decomposition (NFKD), where it differs from the canonical one
  c CP CCC   CP's canonical combining class (decimal), where it is not 0
  p A B C    A followed by B composes to C (primary composites only: no exclusions, singletons or non-starters)
Hangul syllables are left out: the code decomposes and composes them by Unicode's arithmetic.

Run from the repository root: python3 tools/unicode/normalization-table.py
"""
import sys
import unicodedata as u

def hexes(s):
    return " ".join(f"{ord(c):X}" for c in s)

def hangul(cp):
    return 0xAC00 <= cp <= 0xD7A3

lines = [f"# Unicode {u.unidata_version}, written by tools/unicode/normalization-table.py; do not edit"]
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF or hangul(cp):
        continue
    c = chr(cp)
    nfd = u.normalize("NFD", c)
    nfkd = u.normalize("NFKD", c)
    if nfd != c:
        lines.append(f"d {cp:X} {hexes(nfd)}")
    if nfkd != nfd:
        lines.append(f"k {cp:X} {hexes(nfkd)}")
    ccc = u.combining(c)
    if ccc:
        lines.append(f"c {cp:X} {ccc}")
    raw = u.decomposition(c)
    if raw and not raw.startswith("<"):
        parts = [int(p, 16) for p in raw.split()]
        if len(parts) == 2 and u.normalize("NFC", c) == c and u.combining(chr(parts[0])) == 0:
            lines.append(f"p {parts[0]:X} {parts[1]:X} {cp:X}")

with open("grains/GrainServe.Grains/Generation/UnicodeNormalization.txt", "w", encoding="ascii", newline="\n") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "lines", file=sys.stderr)
