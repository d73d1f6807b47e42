"""Where the shipped files are (`data/`: the corpus, vocabulary, catalogues, the query library, vignettes).

In a source checkout they are the repository's `data/`, beside `graph/` and `loaders/`. An installed
package (`pip install .`) carries the same files as the folder `pattern_atlas_data` beside the packages in
site-packages (a name of its own: a top-level `data` there could be any project's). Every module that
reads a shipped file takes its folder from here, so both layouts work and they cannot disagree.
"""
from __future__ import annotations

from pathlib import Path

#: The folder holding the project's packages: the repository, or site-packages when installed.
CODE_ROOT = Path(__file__).resolve().parents[1]
#: The name of the shipped `data/` folder in an installed package (see pyproject.toml).
INSTALLED_DATA = "pattern_atlas_data"


def shipped_data_dir(root: Path = CODE_ROOT) -> Path:
    """The shipped `data/` folder under `root`: the checkout's `data/` when `root` is a source checkout
    (it has pyproject.toml), else the installed copy; the checkout's path when neither is there, so a
    missing file is reported by the reader that wanted it, with its path."""
    checkout = root / "data"
    if (root / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    installed = root / INSTALLED_DATA
    return installed if installed.is_dir() else checkout


#: The shipped data folder of this copy of the code.
SHIPPED_DATA = shipped_data_dir()
