"""``python -m kamlab.synth --write DIR``: write the default synthetic worlds as CSV.

The Makefile's ``make datasets`` runs exactly ``python -m kamlab.synth --write
datasets``; the same code gives the same bytes (tests/test_synth.py checks the
committed files).
"""

from __future__ import annotations

import argparse

from . import default_worlds
from .io import write_world


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kamlab.synth", description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="DIR", required=True, help="directory to write the CSV files into")
    args = parser.parse_args(argv)
    for world in default_worlds():
        for path in write_world(world, args.write):
            print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
