"""kamlab: key account management research notebooks and their library.

Modules (data flows one way, see DESIGN): ``data`` -> ``rfm`` -> ``clv`` /
``survival`` -> ``definitions`` -> ``compare`` -> ``plots``; ``segments`` and
``synth`` beside them; ``economics`` depends on nothing in kamlab.

Submodules are imported on demand (``from kamlab import rfm``), so that
``import kamlab`` stays fast.
"""

__version__ = "0.1.0"
