"""The `shopnb` command line: serve the pages, write a page as one HTML file, make the sample shop.

Example:
    $ shopnb serve --data ~/shop-exports --lang en
    $ shopnb report competitors --param own_shop=山野集官方旗舰店 --out competitors.html
    $ shopnb sample --seed 7 --out data/sample
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from shopnb.datasets import make_shop_data, write_sample
from shopnb.schema import LANGS
from shopnb.store import ENV_DATA, ENV_NOTEBOOKS, notebooks_folder


def _sample(args: argparse.Namespace) -> int:
    """Generate the shop for `args.seed`, write its export files to `args.out`, list them."""
    paths = write_sample(make_shop_data(seed=args.seed), args.out)
    sizes = {path: path.stat().st_size for path in paths}
    for path, size in sizes.items():
        print(f"{size / 1e6:8.2f} MB  {path}")
    print(f"{sum(sizes.values()) / 1e6:8.2f} MB  in {len(paths)} files")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Check the folders, say where the pages are (and the token), then run Voila."""
    from shopnb import serve

    for what, folder in (("--data", args.data), ("--notebooks", args.notebooks)):
        if folder is not None and not folder.is_dir():
            print(f"shopnb serve: {what} {folder}: no such folder", file=sys.stderr)
            return 2
    if not any(args.notebooks.glob("*.ipynb")):
        print(f"shopnb serve: {args.notebooks} has no notebooks (.ipynb)", file=sys.stderr)
        return 2
    plan = serve.plan(args.notebooks, host=args.host, port=args.port, data=args.data,
                      lang=args.lang, token=args.token, pool=args.pool)
    pools = ", ".join(f"{nb} {n}" for nb, n in plan.pool.items() if n) or "none"
    print(f"shopnb: serving {args.notebooks} on {args.host}:{args.port}\n"
          f"  data: {args.data or 'the bundled sample shop'}; language: {args.lang};"
          f" preheated kernels: {pools}")
    if plan.token:
        print(f"  {args.host} is reachable from other machines, so the pages need a token"
              f" ({'given' if args.token else 'generated'}): {plan.token}")
    print(f"  open {plan.url}", flush=True)
    serve.run(plan)


def _report(args: argparse.Namespace) -> int:
    """Run the page's notebook and write its one-file HTML report; say what was written."""
    import time

    from shopnb import report
    from shopnb.errors import ShopDataError

    if args.data is not None and not args.data.is_dir():
        print(f"shopnb report: --data {args.data}: no such folder", file=sys.stderr)
        return 2
    if not args.out.parent.is_dir():
        print(f"shopnb report: --out {args.out}: the folder {args.out.parent} does not exist",
              file=sys.stderr)
        return 2
    env = {ENV_NOTEBOOKS: str(args.notebooks.resolve())}
    if args.data is not None:
        env[ENV_DATA] = str(args.data.resolve())
    start = time.perf_counter()
    try:
        written = report.write_report(args.page, args.out, params=report.parse_params(args.param),
                                      notebooks=args.notebooks, env=env)
    except ShopDataError as exc:
        print(f"shopnb report: {exc}", file=sys.stderr)
        return 1
    size = written.stat().st_size / 1e6
    print(f"shopnb: wrote {written} ({size:.1f} MB) in {time.perf_counter() - start:.1f} s")
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

    serve = commands.add_parser("serve", help="serve the pages with Voila (offline, preheated)")
    serve.add_argument("--data", type=Path, default=None,
                       help="folder of the shop's export files (default: the sample shop)")
    serve.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1, this machine only;"
                            " any other needs a token)")
    serve.add_argument("--lang", choices=LANGS, default="zh",
                       help="the pages' language (default zh; ?lang=en in an address wins)")
    serve.add_argument("--token", default=None,
                       help="access token off loopback (default: a generated one, printed)")
    serve.add_argument("--pool", type=int, default=None,
                       help="the most preheated kernels a page gets (default 8, within a"
                            " quarter of the free memory; 0: none)")
    serve.add_argument("--notebooks", type=Path, default=notebooks_folder(),
                       help="folder of the pages' notebooks (default: %(default)s)")
    serve.set_defaults(run=_serve)

    report = commands.add_parser("report", help="write a page as one HTML file that opens"
                                                " offline")
    report.add_argument("page", help="the page: index, funnel, competitors, experiments ...")
    report.add_argument("--data", type=Path, default=None,
                        help="folder of the shop's export files (default: the sample shop)")
    report.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="a notebook parameter, e.g. lang=en (repeatable)")
    report.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    report.add_argument("--notebooks", type=Path, default=notebooks_folder(),
                        help="folder of the pages' notebooks (default: %(default)s)")
    report.set_defaults(run=_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Example:
        >>> import contextlib, io, tempfile
        >>> with contextlib.redirect_stdout(io.StringIO()) as out:
        ...     status = main(["sample", "--out", tempfile.mkdtemp()])
        >>> status, out.getvalue().splitlines()[-1].endswith("files")
        (0, True)
    """
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
