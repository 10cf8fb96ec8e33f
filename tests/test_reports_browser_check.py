"""tests/browser_check.py, the real-browser check of the reports: its rules, and on a page
with every defect it must find (in Chromium when the machine has it)."""

from __future__ import annotations

import shutil

import pytest

import browser_check as bc  # tests/browser_check.py: test tooling beside the tests, run as a script by make


def test_only_the_page_itself_and_data_urls_are_not_requests():
    page = "file:///r/report.html"
    assert bc.is_own_request("file:///r/report.html#section", page)
    assert bc.is_own_request("data:image/png;base64,AAAA", page) and bc.is_own_request("blob:file:///x", page)
    assert not bc.is_own_request("file:///r/other.css", page)
    assert not bc.is_own_request("https://cdnjs.cloudflare.com/mathjax.js", page)


def test_narrow_figures_undecoded_images_and_overflow_are_problems():
    images = [{"src": "data:a", "width": 900, "height": 500, "shown": 900, "figure": True},
              {"src": "data:b", "width": 390, "height": 300, "shown": 390, "figure": True},
              {"src": "data:c", "width": 0, "height": 0, "shown": 0, "figure": True},
              {"src": "data:d", "width": 16, "height": 16, "shown": 16, "figure": False}]
    problems = bc.image_problems("r", images)
    assert len(problems) == 2
    assert "shown 390 px wide" in problems[0] and "not decoded" in problems[1]
    found = {"items": [{"tag": "td", "cls": "", "text": "bi", "over": 12, "cut": False},
                       {"tag": "pre", "cls": "", "text": "biggest", "over": 0, "cut": False, "midword": True}],
             "count": 2, "pageWidth": 1500, "window": 1280}
    problems = bc.overflow_problems("r", found)
    assert "text overflows its box by 12 px in <td" in problems[0]
    assert "broken mid-word (word-break: break-all) in <pre" in problems[1]
    assert "1500 px wide, wider than the 1280 px window" in problems[2]


def test_the_header_must_match_the_index_row():
    row = {"title": "T", "params": [["k", "5"]]}
    header = {"title": "T", "hasTable": True, "first": True, "params": {"k": "5"}}
    assert bc.header_problems("r", "r.html", header, row) == []
    assert bc.header_problems("r", "r.html", {**header, "params": {"k": "6"}}, row)
    assert bc.header_problems("r", "r.html", None, row) == ["r: r.html has no kamlab header"]


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="needs the system Chromium (make browser-test installs it)")
def test_in_chromium_every_defect_of_a_bad_page_is_found(tmp_path):
    pytest.importorskip("playwright")
    (tmp_path / "other.css").write_text("p { color: red }")
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="other.css">'
        '<script src="https://cdn.example.org/x.js"></script></head><body><main>'
        '<p style="width:100px;white-space:nowrap">a_word_far_too_long_for_one_hundred_pixels_of_width</p>'
        '<p style="width:100px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis">cut with an ellipsis '
        'because it is long</p><pre style="word-break:break-all">bi ggest</pre>'
        '<img src="https://example.com/x.png"></main></body></html>')
    problems = bc.check_reports(tmp_path, chromium=bc.find_chromium(), screenshots=tmp_path / "shots")
    text = "\n".join(problems)
    assert "3 request(s) left the page" in text and "other.css" in text and "cdn.example.org" in text
    assert "text overflows its box" in text and "is cut off" in text and "broken mid-word" in text
    assert "image not decoded" in text
    assert "index.html lists no reports" in text
