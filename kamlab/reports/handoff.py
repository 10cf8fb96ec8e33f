"""One comparison per own-data report: the notebook's result handed to the CSV exports.

An own-data run of the capstone (notebook 07) computes
:func:`kamlab.compare.run_comparison` in its kernel; the command then writes the
CSV exports in its own process (:mod:`kamlab.reports.export_folder`). Without a
hand-off the comparison ran twice, the second time only for the exports: at a
million accounts that was half of the run. :func:`keep_comparison`, called by
the notebook's last cell, writes the result beside the data in the job's
bundle; :func:`kept_comparison` reads it back for the exports, so the exports
are those of the report, by construction. Anything else (a registered dataset,
a notebook run by hand on a file) keeps nothing.

The file is a pickle written and read by the same installation within one
run of the command; it is never a format to keep. Objects that cannot be
pickled (the local functions lifetimes' fitters attach to themselves) are
left out as None: nothing the exports read.
"""

from __future__ import annotations

import io
import pickle
import types
from pathlib import Path

from kamlab.data.bundle import BUNDLE_FILE, is_bundle

#: The comparison's file inside a bundle.
COMPARISON_FILE = "comparison.pickle"


class _Pickler(pickle.Pickler):
    """A pickler that stores functions defined inside other functions (unpicklable) as None."""

    def reducer_override(self, obj):
        if isinstance(obj, types.FunctionType) and "<locals>" in obj.__qualname__:
            return type(None), ()
        return NotImplemented


def keep_comparison(result, dataset) -> Path | None:
    """Write ``result`` into ``dataset``'s bundle when ``dataset`` is a bundle directory; else nothing.

    Parameters
    ----------
    result : kamlab.compare.Comparison
        The comparison the report shows.
    dataset : str or Path
        The notebook's ``dataset`` parameter: for an own-data report, the
        bundle the command wrote (:func:`kamlab.reports.prepare_data`).

    Returns
    -------
    Path or None
        The file written, or None when ``dataset`` is not a bundle.
    """
    if not isinstance(dataset, (str, Path)) or not is_bundle(dataset):
        return None
    target = Path(dataset) / COMPARISON_FILE
    tmp = target.with_name(COMPARISON_FILE + ".tmp")
    with tmp.open("wb") as handle:
        _Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(result)
    tmp.replace(target)
    return target


def kept_comparison(bundle: str | Path):
    """The comparison :func:`keep_comparison` wrote into ``bundle`` after the bundle itself, else None.

    A file older than the bundle's ``dataset.json`` belongs to an earlier
    bundle and is ignored (the command rewrites the whole bundle before every
    run, so this is a second guard, not the first).
    """
    bundle = Path(bundle)
    path = bundle / COMPARISON_FILE
    if not path.is_file() or path.stat().st_mtime < (bundle / BUNDLE_FILE).stat().st_mtime:
        return None
    with path.open("rb") as handle:
        return pickle.load(io.BufferedReader(handle))
