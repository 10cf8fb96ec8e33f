"""One executed notebook as one self-contained HTML page (nbconvert's lab
template, figures inline as data URIs, the kamlab header on top)."""

from __future__ import annotations

from .header import HEADER_CSS

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block extra_css -%}{{ super() }}{{ resources.kamlab_css }}{%- endblock extra_css -%}
{%- block body_header -%}{{ super() }}{{ resources.kamlab_header }}{%- endblock body_header -%}
"""


def notebook_html(nb, *, title: str, header: str, hide_input: bool) -> str:
    """One self-contained HTML page (nbconvert's lab template, figures inline)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab", extra_loaders=[DictLoader({"kamlab_report.html.j2": _TEMPLATE})]
    )
    exporter.template_file = "kamlab_report.html.j2"
    exporter.exclude_input = hide_input
    exporter.exclude_input_prompt = hide_input
    exporter.exclude_output_prompt = hide_input
    resources = {"metadata": {"name": title}, "kamlab_header": header, "kamlab_css": HEADER_CSS}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body

