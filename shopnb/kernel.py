"""The pages' kernel under `shopnb serve`: IPython's kernel, lighter.

`shopnb serve` puts ``share/kernels/python3`` first on Voila's Jupyter path,
so every page runs in this kernel (JupyterLab keeps its own). It differs in
six ways, each for a served page's memory or speed:

- no debugger: ipykernel imports debugpy when it can; a served page is never
  debugged, and the debugger's memory is paid by every kernel;
- no input history (``--HistoryManager.enabled=False`` in ``kernel.json``): a
  page's cells are the notebook's, and twenty kernels need not share one
  history database;
- no checkers for jsonschema's optional formats IRI and duration: jsonschema
  (which Altair imports) loads the checker of every optional format whose
  package is installed (Jupyter installs them), and the IRI checker builds a
  grammar at import (rfc3987-syntax, with lark), which delays every page's
  first chart; the duration checker (isoduration, with arrow) holds memory.
  shopnb checks no format. Hiding the two packages changes jsonschema for every
  library in the process, so only this kernel, which runs nothing but the
  pages, does it;
- Arrow allocates with the system allocator (``ARROW_DEFAULT_MEMORY_POOL=system``,
  set in ``kernel.json``), which gives back what loading the exports used;
  mimalloc keeps it;
- after each cell, the memory its temporaries held goes back to the system
  (`give_back_memory`): a page is built once and then kept, and the C
  allocator keeps freed memory otherwise;
- then what the cell left alive is frozen out of the garbage collector's sight
  (`freeze_what_is_kept`), so that a full collection, which can fall inside any
  redraw, looks only at what the redraws made.

Example (what ``kernel.json`` runs)::

    python -m shopnb.kernel -f /path/to/connection-file.json
"""

import contextlib
import ctypes
import gc
import sys


def give_back_memory(*_: object) -> None:
    """Collect garbage and hand the C allocator's free memory back to the system (glibc).

    Example:
        >>> give_back_memory()
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: it keeps what it keeps
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def freeze_what_is_kept(*_: object) -> None:
    """Move every object alive after a cell out of the cyclic garbage collector's sight.

    Those objects (the libraries, the data, the page) are frozen with `gc.freeze`: a full
    collection then looks only at what the page's redraws made since. Objects whose last
    reference goes are still freed at once; only reference cycles among the frozen objects
    would stay (the page they make up is kept anyway).

    Example:
        >>> freeze_what_is_kept(); gc.get_freeze_count() > 0
        True
        >>> gc.unfreeze()
    """
    gc.freeze()


def hide_unused_format_checkers() -> None:
    """Make the packages of jsonschema's IRI and duration checkers fail to import.

    So jsonschema, once imported, skips those checkers (nothing once it is imported
    already).

    Example:
        >>> import subprocess, sys
        >>> code = ("import sys; from shopnb.kernel import hide_unused_format_checkers;"
        ...         " hide_unused_format_checkers(); import jsonschema;"
        ...         " print(sys.modules.get('rfc3987_syntax'))")
        >>> subprocess.run([sys.executable, "-c", code], capture_output=True,
        ...                text=True).stdout.strip()
        'None'
    """
    if "jsonschema" in sys.modules:
        return
    for unused in ("rfc3987_syntax", "isoduration"):
        # typeshed's sys.modules holds no None, the value that makes an import fail
        sys.modules.setdefault(unused, None)  # type: ignore[arg-type]


def main() -> None:
    """Start IPython's kernel without its debugger and two of jsonschema's format checkers.

    The checkers are those of IRI and duration. After each cell, give memory back and
    freeze what is kept.
    """
    # `import debugpy` now fails: ipykernel skips the debugger (typeshed's sys.modules
    # holds no None)
    sys.modules["debugpy"] = None  # type: ignore[assignment]
    hide_unused_format_checkers()
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize()
    shell = app.shell
    assert shell is not None  # initialize() made it
    shell.events.register("post_run_cell", give_back_memory)
    shell.events.register("post_run_cell", freeze_what_is_kept)
    app.start()


if __name__ == "__main__":
    main()
