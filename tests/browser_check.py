"""Open the rendered reports in a real browser and check what a reader would see.

    python tests/browser_check.py [REPORTS_DIR] [--chromium PATH] [--screenshots DIR]

Test tooling, not part of the kamlab package: ``make browser-test`` runs it
after ``make reports``. It drives the system's Chromium (Debian package
``chromium``; Playwright's own browser downloads are not used) through the
``playwright`` package, headless, with a fresh profile (``--user-data-dir`` in
a temporary folder), in a 1,280 x 900 px window.

Checks, all problems collected and printed together (exit status 1 if any):

- ``index.html`` opens and lists at least one report; its table fits the window;
- every link of the index resolves to an existing file; the HTML ones open;
- self-contained: on every page opened, not one request goes to anything but
  the page's own file (``data:`` and ``blob:`` URLs are not requests); each
  such request is counted, refused and named;
- on every page: every ``<img>`` decoded; no text overflows its box (an
  element whose content is wider than the element, or text cut by an
  ellipsis) or is set to break mid-word (``word-break: break-all``), and the
  page is no wider than the window; every figure of a report is at least
  600 px wide as shown;
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
VIEWPORT = {"width": 1280, "height": 900}
#: Narrowest a figure may be shown, in CSS pixels.
MIN_FIGURE_PX = 600

_IMAGES_JS = """async () => {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return imgs.map(i => ({src: i.currentSrc.slice(0, 60), width: i.naturalWidth, height: i.naturalHeight,
                         shown: Math.round(i.getBoundingClientRect().width),
                         figure: !!i.closest('.jp-OutputArea-output, .output_area')}));
}"""

# Elements holding text of their own whose content is wider than their box
# (visible overflow, or hidden behind an ellipsis), and the page's own width.
_OVERFLOW_JS = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest('script, style, svg, math')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'inline' || style.display === 'none' || el.clientWidth === 0) continue;
    const scrolls = ['auto', 'scroll'].includes(style.overflowX);
    const cut = style.textOverflow === 'ellipsis';
    const item = {tag: el.tagName.toLowerCase(), cls: String(el.className).slice(0, 40),
                  text: el.textContent.trim().slice(0, 50), over: el.scrollWidth - el.clientWidth,
                  cut: cut || style.overflowX !== 'visible', midword: false};
    if (!scrolls && el.scrollWidth > el.clientWidth + 1 && (style.overflowX === 'visible' || cut)) out.push(item);
    else if (style.wordBreak === 'break-all') out.push({...item, over: 0, midword: true});
  }
  return {items: out.slice(0, 20), count: out.length,
          pageWidth: document.documentElement.scrollWidth, window: window.innerWidth};
}"""

_INDEX_JS = """() => Array.from(document.querySelectorAll('tr.job')).map(tr => ({
  name: tr.dataset.name,
  status: tr.dataset.status,
  title: (tr.querySelector('td[data-title]') || {dataset: {}}).dataset.title || null,
  params: Array.from(tr.querySelectorAll('code.param')).map(c => [
    c.dataset.param, c.dataset.value ?? c.textContent.split('=').slice(1).join('=')]),
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


def is_own_request(url: str, page_url: str) -> bool:
    """True for the page's own file (any fragment) and for data:/blob: URLs; everything else is external."""
    if url.startswith(("data:", "blob:")):
        return True
    return url.split("#", 1)[0] == page_url.split("#", 1)[0]


def overflow_problems(label: str, found: dict) -> list[str]:
    """Problems from :data:`_OVERFLOW_JS`'s answer: text wider than its box, a page wider than the window."""
    problems = []
    for item in found["items"]:
        where = f"<{item['tag']} class=\"{item['cls']}\">: {item['text']!r}"
        if item.get("midword"):
            problems.append(f"{label}: text is broken mid-word (word-break: break-all) in {where}")
            continue
        how = "is cut off" if item["cut"] else "overflows its box"
        problems.append(f"{label}: text {how} by {item['over']} px in {where}")
    if found["count"] > len(found["items"]):
        problems.append(f"{label}: {found['count'] - len(found['items'])} more element(s) with overflowing text")
    if found["pageWidth"] > found["window"] + 1:
        problems.append(f"{label}: the page is {found['pageWidth']} px wide, wider than the "
                        f"{found['window']} px window")
    return problems


def image_problems(label: str, images: list[dict]) -> list[str]:
    """Images not decoded, and figures shown narrower than :data:`MIN_FIGURE_PX`."""
    problems = []
    for img in images:
        if img["width"] <= 0:
            problems.append(f"{label}: image not decoded ({img['src']}...)")
        elif img["figure"] and img["shown"] < MIN_FIGURE_PX:
            problems.append(f"{label}: a figure is shown {img['shown']} px wide (natural {img['width']} px), "
                            f"narrower than {MIN_FIGURE_PX} px ({img['src']}...)")
    return problems


def header_problems(name: str, href: str, header: dict | None, row: dict) -> list[str]:
    """The kamlab header of a report against its index row: title and every parameter."""
    if header is None:
        return [f"{name}: {href} has no kamlab header"]
    problems = []
    if header["title"] != row["title"]:
        problems.append(f"{name}: header title {header['title']!r} != index title {row['title']!r}")
    if not header["title"]:
        problems.append(f"{name}: the header has no title")
    if not header["hasTable"]:
        problems.append(f"{name}: header has no parameter table")
    if not header["first"]:
        problems.append(f"{name}: the header is not the first block of the page")
    for param, value in row["params"]:
        if header["params"].get(param) != value:
            problems.append(f"{name}: parameter {param} is {value} on the index but "
                            f"{header['params'].get(param)!r} in the report header")
    return problems


class _Browser:
    """One Chromium page; every request that is not the page's own file is counted and refused."""

    def __init__(self, context, shots: Path) -> None:
        self.context, self.shots = context, shots
        self.current, self.external, self.opened = "", [], 0
        context.route("**/*", self._route)
        self.page = context.pages[0] if context.pages else context.new_page()
        self.page.on("request", self._count)  # every request, local files included

    def _own(self, request) -> bool:
        return is_own_request(request.url, self.current) and request.is_navigation_request()

    def _count(self, request) -> None:
        if not self._own(request) and not request.url.startswith(("data:", "blob:")):
            self.external.append(request.url)

    def _route(self, route) -> None:
        route.continue_() if self._own(route.request) else route.abort()

    def open(self, url: str, label: str, problems: list[str], *, figures: bool = True) -> bool:
        """Open a page and check requests, images and overflow; False when it did not open."""
        self.current, self.external = url, []
        response = self.page.goto(url, wait_until="load")
        if response is not None and not response.ok:
            problems.append(f"{label}: {url} answered {response.status}")
            return False
        self.opened += 1
        self.page.wait_for_timeout(200)  # late requests (fonts, lazy images) are made by now
        images = self.page.evaluate(_IMAGES_JS)
        problems += image_problems(label, images if figures else [dict(i, figure=False) for i in images])
        problems += overflow_problems(label, self.page.evaluate(_OVERFLOW_JS))
        if self.external:
            shown = ", ".join(u if len(u) <= 80 else "..." + u[-77:] for u in self.external[:5])  # keep the file name
            problems.append(f"{label}: {len(self.external)} request(s) left the page when it opened: {shown}")
        self.page.screenshot(path=str(self.shots / f"{label}.png"), full_page=True)
        return True


def _check_link(browser: _Browser, row: dict, link: dict, problems: list[str]) -> None:
    name, target = row["name"], _local(link["url"])
    if not target.is_file():
        problems.append(f"{name}: index link {link['href']} does not resolve ({target} missing)")
        return
    if target.suffix == ".ipynb":
        try:
            json.loads(target.read_text())
        except ValueError:
            problems.append(f"{name}: {link['href']} is not a notebook file")
        return
    kind = link["cls"]
    if kind == "exports-link":  # a report's CSV exports: the folder's README.txt must be there, and the CSVs
        folder = target.parent
        if not any(folder.glob("*.csv")):
            problems.append(f"{name}: the exports folder {folder.name} holds no CSV file")
        return
    label = {"report-link": name, "last-good-link": f"{name}-last-good"}.get(kind, f"{name}-{target.stem}-traceback")
    if not browser.open(link["url"], label, problems, figures=kind != "traceback-link"):
        return
    header = browser.page.evaluate(_HEADER_JS)
    if kind == "last-good-link":  # an earlier run: its own title and parameters
        if header is None or not header["title"] or not header["hasTable"]:
            problems.append(f"{name}: the last good report {link['href']} has no kamlab header "
                            "with title and parameters")
        return
    problems += header_problems(name, link["href"], header, row)


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
    with tempfile.TemporaryDirectory(prefix="kamlab-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=CHROMIUM_FLAGS, viewport=VIEWPORT,
        )
        browser = _Browser(context, shots)
        browser.open(index.as_uri(), "index", problems)
        rows = browser.page.evaluate(_INDEX_JS)
        if not rows:
            problems.append("index.html lists no reports")
        for row in rows:
            if row["status"] == "none":
                problems.append(f"{row['name']}: listed on the index but never rendered")
            for link in row["links"]:
                _check_link(browser, row, link, problems)
        context.close()
    print(f"browser check: opened {browser.opened} page(s) in {Path(chromium).name}; screenshots in {shots}")
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
