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
    """A pickler that writes each large index once and functions local to other functions as None.

    The comparison's tables and scores each carry an index of the same
    account ids (equal, but distinct objects, which pickle would write once
    each): every large index equal to one already seen is written as a
    reference to it (``persistent_id``), the distinct ones after the object.
    Functions defined inside other functions cannot be pickled: they are
    stored as None.

    Series and frames are written as their column arrays, index and names
    (:func:`_series`, :func:`_frame`), not by pandas' own reduction: its
    block manager state slices the index, and slicing an index whose hash
    engine is built builds the slice's engine too (pandas'
    ``Index._getitem_slice``), a Python object per id (65 MB per million ids)
    that the pickler's memo keeps until the end. At a million accounts that
    held about 0.5 GB at the report's peak of memory.
    """

    def __init__(self, file, indexes: list):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.indexes = indexes

    def persistent_id(self, obj):
        import pandas as pd

        if not isinstance(obj, pd.Index) or len(obj) < _SHARED_INDEX_SIZE:
            return None
        for i, known in enumerate(self.indexes):
            if known is obj or (len(known) == len(obj) and known.dtype == obj.dtype and known.equals(obj)):
                return i
        self.indexes.append(obj)
        return len(self.indexes) - 1

    def reducer_override(self, obj):
        import pandas as pd

        if isinstance(obj, types.FunctionType) and "<locals>" in obj.__qualname__:
            return type(None), ()
        if type(obj) is pd.Series and not obj.attrs:
            return _series, (obj.array, obj.index, obj.name)
        if type(obj) is pd.DataFrame and not obj.attrs:
            return _frame, ([obj.iloc[:, i].array for i in range(obj.shape[1])], obj.index, obj.columns)
        return NotImplemented


def _series(values, index, name):
    """The Series of ``values`` (an array) on ``index``: how :class:`_Pickler` writes one."""
    import pandas as pd

    return pd.Series(values, index=index, name=name, copy=False)


def _frame(arrays: list, index, columns):
    """The DataFrame of the column ``arrays`` on ``index``, named ``columns``: how :class:`_Pickler` writes one."""
    import pandas as pd

    frame = pd.DataFrame(dict(enumerate(arrays)), index=index, copy=False)
    frame.columns = columns
    return frame


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, indexes: list):
        super().__init__(file)
        self.indexes = indexes

    def persistent_load(self, pid):
        return self.indexes[pid]


#: Indexes at least this long are written once however many tables share them.
_SHARED_INDEX_SIZE = 1000


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
    indexes: list = []
    with tmp.open("wb") as handle:  # the object, then the distinct indexes it refers to, then where they start
        _Pickler(handle, indexes).dump(result)
        start = handle.tell()
        pickle.dump(indexes, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.write(start.to_bytes(8, "little"))
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
        handle.seek(-8, io.SEEK_END)
        handle.seek(int.from_bytes(handle.read(8), "little"))
        indexes = pickle.load(handle)
        handle.seek(0)
        return _Unpickler(handle, indexes).load()
