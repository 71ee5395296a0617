"""A large file is parsed in chunks of whole top-level items (issue #14: memory): the tree,
every range in it and every diagnostic are those of the whole-file parse."""

from __future__ import annotations

import pytest

from engine.config import hcl_parser

TRICKY = '''\
# a comment with a brace {
// another }
/* a block comment
   with { braces } and "quotes" */
terraform {
  required_version = ">= 1.0"
}

locals {
  text    = "a } brace and \\" an escaped quote and \\\\"
  escaped = "$${not_a_template} %%{ not_a_directive }"
  tmpl    = "${upper("x}")}-%{ if var.on }on%{ else }off%{ endif }"
  nested  = { a = [1, 2, { b = "c" }], d = (1 + 2) }
  doc     = <<EOT
a heredoc with { braces and "quotes
EOT
  trimmed = <<-EOT
    ${var.x} }
    %{ for s in var.list }${s}%{ endfor }
    EOT
}

variable "x" {
  default = "x"
}

# résumé: non-ASCII text before blocks, so byte offsets differ from character offsets
note = "✓ café"

resource "tencentcloud_vpc" "main" {
  name       = "vpc-${var.x}"
  cidr_block = "10.0.0.0/16" # trailing { comment
  tags = {
    "k" = "v"
  }
  lifecycle {
    ignore_changes = [tags]
  }
}
data "d" "e" {}
last = 1'''


def chunks_of_every_item(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hcl_parser, "CHUNK_CHARS", 1)  # a cut before every top-level item


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_chunked_parse_gives_the_whole_file_tree(monkeypatch, newline):
    src = TRICKY.replace("\n", newline)
    chunks = hcl_parser.top_level_chunks(src, 1)
    assert chunks is not None and len(chunks) == 8
    assert chunks[0][0] == 0 and chunks[-1][1] == len(src)
    whole, whole_diags = hcl_parser.parse_whole_file(src, "main.tf")
    assert whole is not None and not whole_diags.has_errors
    chunks_of_every_item(monkeypatch)
    body, diags = hcl_parser.parse_file(src, "main.tf")
    # node for node, every SourceRange (line, column, byte) included: expression nodes
    # compare by identity, their dataclass reprs show every field
    assert repr(body) == repr(whole)
    assert list(diags) == list(whole_diags)
    note = body.attributes["note"]
    at = src.index("note =")
    assert note.name_range.start.byte == len(src[:at].encode()) != at  # bytes, not characters


@pytest.mark.parametrize("src", [
    'a = "unterminated\n',
    "a = {\n",
    "a = }\n",
    "a = <<EOT\nno end marker\n",
    "/* never closed\na = 1\n",
])
def test_the_scanner_leaves_text_it_is_unsure_of_to_the_whole_file_parse(src):
    assert hcl_parser.top_level_chunks(src, 1) is None


@pytest.mark.parametrize("bad", ["  x = [1, 2\n", "  y = 1;\n", '  name = "a\n', "  z = \n"])
def test_a_syntax_error_in_a_later_chunk_is_reported_as_before(monkeypatch, bad):
    src = TRICKY + "\n\nresource \"a\" \"b\" {\n" + bad + "}\n"
    whole = hcl_parser.parse_whole_file(src, "main.tf")
    assert whole[0] is None
    chunks_of_every_item(monkeypatch)
    body, diags = hcl_parser.parse_file(src, "main.tf")
    assert body is None
    [d] = list(diags)
    assert d.subject.start.line >= src.count("\n", 0, src.index(bad)) + 1  # in the last block
    assert list(diags) == list(whole[1])  # same file, line, column and message


def test_builder_diagnostics_across_chunks_are_as_before(monkeypatch):
    src = "a = 1\nb = 2\na = 3\n"
    whole = hcl_parser.parse_whole_file(src, "main.tf")
    chunks_of_every_item(monkeypatch)
    got = hcl_parser.parse_file(src, "main.tf")
    assert got[0] is None and whole[0] is None
    assert [d.summary for d in got[1]] == ["Attribute redefined"]
    assert list(got[1]) == list(whole[1])


@pytest.mark.parametrize("parser", ["tree-sitter", "lark"])
def test_a_parse_leaves_no_reference_cycles_for_the_collector(parser, monkeypatch):
    """hcl.parse keeps a new tree out of the collector's reach instead of collecting after
    it (issue #14): that is only right if neither parser leaves garbage in cycles, e.g. a
    template's directive parser that refers to itself."""
    import gc

    from engine.config import hcl
    monkeypatch.setenv("VPNFORM_PARSER", "lark" if parser == "lark" else "")
    gc.collect()
    gc.disable()
    try:
        body, diags = hcl._parse_uncached(TRICKY, "main.tf")
        assert body is not None and not diags.has_errors
        assert gc.collect() == 0
    finally:
        gc.enable()
