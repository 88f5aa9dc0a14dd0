"""The pages' kernel under `shopnb serve`: IPython's kernel, lighter.

`shopnb serve` puts ``share/kernels/python3`` first on Voila's Jupyter path,
so every page runs in this kernel (JupyterLab keeps its own). It differs in
two ways, each measured on the sample shop's pages (kernel RSS):

- no debugger: ipykernel imports debugpy when it can; a served page is never
  debugged (about 7 MB a kernel);
- Arrow allocates with the system allocator (``ARROW_DEFAULT_MEMORY_POOL=system``,
  set in ``kernel.json``), which gives back what loading the exports used;
  mimalloc kept 17–27 MB a kernel.

Example (what ``kernel.json`` runs)::

    python -m shopnb.kernel -f /path/to/connection-file.json
"""

import sys


def main() -> None:
    """Start IPython's kernel without its debugger."""
    sys.modules["debugpy"] = None  # `import debugpy` now fails: ipykernel skips the debugger
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
