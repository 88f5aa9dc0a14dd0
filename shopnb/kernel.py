"""The pages' kernel under `shopnb serve`: IPython's kernel, lighter.

`shopnb serve` puts ``share/kernels/python3`` first on Voila's Jupyter path,
so every page runs in this kernel (JupyterLab keeps its own). It differs in
five ways, each measured on the sample shop's pages:

- no debugger: ipykernel imports debugpy when it can; a served page is never
  debugged (about 7 MB a kernel);
- no input history (``--HistoryManager.enabled=False`` in ``kernel.json``): a
  page's cells are the notebook's, and twenty kernels need not share one
  history database;
- Arrow allocates with the system allocator (``ARROW_DEFAULT_MEMORY_POOL=system``,
  set in ``kernel.json``), which gives back what loading the exports used;
  mimalloc kept 17–27 MB a kernel;
- after each cell, the memory its temporaries held goes back to the system
  (`give_back_memory`): a page is built once and then kept, and the C
  allocator keeps freed memory otherwise (about 9 MB on the A/B page);
- then what the cell left alive is frozen out of the garbage collector's sight
  (`freeze_what_is_kept`), so that a full collection, which can fall inside any
  redraw, looks only at what the redraws made (the A/B page's: 103 ms before,
  under 1 ms after).

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
    """Move every object alive after a cell (the libraries, the data, the page) out of the
    cyclic garbage collector's sight (`gc.freeze`): a full collection then looks only at
    what the page's redraws made since. Objects whose last reference goes are still freed
    at once; only reference cycles among the frozen objects would stay (the page they
    make up is kept anyway).

    Example:
        >>> freeze_what_is_kept(); gc.get_freeze_count() > 0
        True
        >>> gc.unfreeze()
    """
    gc.freeze()


def main() -> None:
    """Start IPython's kernel without its debugger; after each cell, give memory back and
    freeze what is kept."""
    sys.modules["debugpy"] = None  # `import debugpy` now fails: ipykernel skips the debugger
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize()
    app.shell.events.register("post_run_cell", give_back_memory)
    app.shell.events.register("post_run_cell", freeze_what_is_kept)
    app.start()


if __name__ == "__main__":
    main()
