"""Open the rendered reports in a real browser and check what a reader would see.

    python tests/browser_check.py [REPORTS_DIR] [--chromium PATH] [--screenshots DIR]

(``make browser-test`` runs it after ``make reports``.) It drives the system's
Chromium (Debian package ``chromium``; Playwright's own browser downloads are not
used) through the ``playwright`` package, headless, with a fresh profile
(``--user-data-dir`` in a temporary folder) and every request that is not a
local file blocked, so the check sees exactly what the self-contained files hold.

Checks, all problems collected and printed together (exit status 1 if any):

- ``index.html`` opens and lists at least one report;
- every link of the index resolves to an existing file; the HTML ones open;
- on every page opened, every ``<img>`` decoded (``naturalWidth > 0``);
- every report (and failed-run traceback page) starts with the kamlab header:
  its title equals the title on the index, it has the parameter table, and each
  parameter shown on the index row appears in that table with the same value.

Full-page screenshots go to ``REPORTS_DIR/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

#: Flags of the issue's browser check; Playwright adds its own automation flags.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_IMAGES_JS = """async () => {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return imgs.map(i => ({src: i.currentSrc.slice(0, 60), width: i.naturalWidth, height: i.naturalHeight}));
}"""

_INDEX_JS = """() => Array.from(document.querySelectorAll('tr.job')).map(tr => ({
  name: tr.dataset.name,
  status: tr.dataset.status,
  title: (tr.querySelector('td[data-title]') || {dataset: {}}).dataset.title || null,
  params: Array.from(tr.querySelectorAll('code.param')).map(c => [c.dataset.param, c.textContent]),
  links: Array.from(tr.querySelectorAll('a[href]')).map(a => ({cls: a.className, href: a.getAttribute('href'),
                                                               url: a.href})),
}))"""

_HEADER_JS = """() => {
  const h = document.querySelector('#kamlab-header');
  if (!h) return null;
  const title = h.querySelector('.kamlab-title');
  const params = {};
  for (const tr of h.querySelectorAll('table.kamlab-params tr[data-param]')) {
    params[tr.dataset.param] = tr.querySelectorAll('td')[1].textContent;
  }
  return {title: title ? title.textContent : null, status: h.dataset.status,
          hasTable: !!h.querySelector('table.kamlab-params'), params: params,
          first: document.querySelector('main') && document.querySelector('main').firstElementChild === h};
}"""


def find_chromium(explicit: str | None = None) -> str:
    """Path of the system Chromium, or a SystemExit that says how to install it."""
    for candidate in (explicit, shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    raise SystemExit(
        "browser check: no Chromium found. Install Debian's package: "
        "`apt-get update && apt-get install -y chromium` (or pass --chromium PATH)"
    )


def _local(url: str) -> Path:
    return Path(unquote(urlparse(url).path))


def check_reports(reports_dir: str | Path, *, chromium: str, screenshots: str | Path | None = None) -> list[str]:
    """Open the index and every linked page; return the problems found."""
    from playwright.sync_api import sync_playwright

    reports_dir = Path(reports_dir).resolve()
    index = reports_dir / "index.html"
    if not index.is_file():
        return [f"{index} does not exist; run `make reports` first"]
    shots = Path(screenshots) if screenshots else reports_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    opened = 0
    with tempfile.TemporaryDirectory(prefix="kamlab-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        # self-contained means no network: anything that is not a local file is refused
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                      else route.abort())
        page = context.pages[0] if context.pages else context.new_page()

        def open_page(url: str, label: str) -> bool:
            nonlocal opened
            response = page.goto(url, wait_until="load")
            if response is not None and not response.ok:
                problems.append(f"{label}: {url} answered {response.status}")
                return False
            opened += 1
            for img in page.evaluate(_IMAGES_JS):
                if img["width"] <= 0:
                    problems.append(f"{label}: image not decoded ({img['src']}...)")
            page.screenshot(path=str(shots / f"{label}.png"), full_page=True)
            return True

        open_page(index.as_uri(), "index")
        rows = page.evaluate(_INDEX_JS)
        if not rows:
            problems.append("index.html lists no reports")
        for row in rows:
            name = row["name"]
            if row["status"] == "none":
                problems.append(f"{name}: listed on the index but never rendered")
            for link in row["links"]:
                target = _local(link["url"])
                if not target.is_file():
                    problems.append(f"{name}: index link {link['href']} does not resolve ({target} missing)")
                    continue
                if target.suffix == ".ipynb":
                    try:
                        json.loads(target.read_text())
                    except ValueError:
                        problems.append(f"{name}: {link['href']} is not a notebook file")
                    continue
                label = name if "report-link" in link["cls"] else f"{name}-{target.stem}-traceback"
                if not open_page(link["url"], label):
                    continue
                header = page.evaluate(_HEADER_JS)
                if header is None:
                    problems.append(f"{name}: {link['href']} has no kamlab header")
                    continue
                if header["title"] != row["title"]:
                    problems.append(f"{name}: header title {header['title']!r} != index title {row['title']!r}")
                if not header["hasTable"]:
                    problems.append(f"{name}: header has no parameter table")
                if not header["first"]:
                    problems.append(f"{name}: the header is not the first block of the page")
                for param, shown in row["params"]:
                    value = shown.split("=", 1)[1]
                    if header["params"].get(param) != value:
                        problems.append(f"{name}: parameter {param} is {value} on the index but "
                                        f"{header['params'].get(param)!r} in the report header")
        context.close()
    print(f"browser check: opened {opened} page(s) in {Path(chromium).name}; screenshots in {shots}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tests/browser_check.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("reports_dir", nargs="?", default="reports", help="folder holding index.html")
    parser.add_argument("--chromium", help="Chromium executable (default: chromium on PATH)")
    parser.add_argument("--screenshots", help="folder for screenshots (default: REPORTS_DIR/screenshots)")
    args = parser.parse_args(argv)
    problems = check_reports(args.reports_dir, chromium=find_chromium(args.chromium), screenshots=args.screenshots)
    if problems:
        print(f"browser check FAILED, {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("browser check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
