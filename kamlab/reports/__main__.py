"""``python -m kamlab.reports --serve``: a worker process of ``kamlab report``."""

import sys

from kamlab.reports.worker import serve

if __name__ == "__main__":
    if sys.argv[1:] != ["--serve"]:
        sys.exit("usage: python -m kamlab.reports --serve  (a worker of `kamlab report`; run that instead)")
    sys.exit(serve())
