"""One executed notebook as one self-contained HTML page.

nbconvert's lab template, with everything that would make a request when the
page opens taken out: no RequireJS, no MathJax (formulas are MathML, rendered
when the page is built: :mod:`kamlab.reports.formulas`), no Mermaid or widget
scripts from a CDN. Figures are inline data URIs. A Content-Security-Policy
meta tag forbids every script and every request except inline styles and
``data:``/``blob:`` images and fonts, so even an output that tries cannot
reach the network. The kamlab header opens the page.
"""

from __future__ import annotations

from .formulas import hold_formulas
from .header import HEADER_CSS

#: What a report may load: nothing but itself. Scripts are forbidden outright.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; media-src data: blob:; connect-src 'none'; frame-src 'none'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}""" + CSP_META + """{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}{{ super() }}{{ resources.kamlab_css }}{%- endblock extra_css -%}
{%- block body_header -%}{{ super() }}{{ resources.kamlab_header }}{%- endblock body_header -%}
"""

_PAGE_CSS = """
<style>
.jp-RenderedHTMLCommon math[display="block"] { margin: 0.8em 0; }
.kamlab-tex { white-space: pre-wrap; }
/* nbconvert's lab CSS sets word-break: break-all on output text ("bi / ggest"); wrap at spaces,
   break a word only when it cannot fit a line. More specific than its rule, which comes later. */
body .jp-OutputArea-output pre { word-break: normal; overflow-wrap: break-word; }
</style>
"""


def notebook_html(nb, *, title: str, header: str, hide_input: bool) -> str:
    """One self-contained HTML page (nbconvert's lab template, figures inline, formulas as MathML)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab", extra_loaders=[DictLoader({"kamlab_report.html.j2": _TEMPLATE})]
    )
    exporter.template_file = "kamlab_report.html.j2"
    exporter.exclude_input = hide_input
    exporter.exclude_input_prompt = hide_input
    exporter.exclude_output_prompt = hide_input
    held, formulas = hold_formulas(nb)
    resources = {"metadata": {"name": title}, "kamlab_header": header, "kamlab_css": HEADER_CSS + _PAGE_CSS}
    body, _ = exporter.from_notebook_node(held, resources=resources)
    return formulas.restore(body)
