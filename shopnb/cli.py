"""The `shopnb` command line: `shopnb sample` regenerates the bundled sample shop.

Example:
    $ shopnb sample --seed 7 --out data/sample
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from shopnb.datasets import make_shop_data, write_sample


def _sample(args: argparse.Namespace) -> int:
    """Generate the shop for `args.seed`, write its export files to `args.out`, list them."""
    paths = write_sample(make_shop_data(seed=args.seed), args.out)
    sizes = {path: path.stat().st_size for path in paths}
    for path, size in sizes.items():
        print(f"{size / 1e6:8.2f} MB  {path}")
    print(f"{sum(sizes.values()) / 1e6:8.2f} MB  in {len(paths)} files")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subcommand per task.

    Example:
        >>> build_parser().parse_args(["sample", "--seed", "3"]).seed
        3
    """
    parser = argparse.ArgumentParser(prog="shopnb", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sample = commands.add_parser("sample", help="regenerate the bundled sample shop's files")
    sample.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    sample.add_argument("--out", type=Path, default=Path("data/sample"),
                        help="folder to write (default data/sample)")
    sample.set_defaults(run=_sample)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Example:
        >>> main(["sample", "--out", "/tmp/shopnb-sample"])  # doctest: +SKIP
    """
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
