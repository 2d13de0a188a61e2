"""The one table of views (adcli.render.registry): every command writes
through it, and a (kind, format) it lacks is a usage error listing the
formats the kind has."""

import pytest

from adcli.cli.flags import as_flags
from adcli.errors import UsageError
from adcli.render import registry


@pytest.mark.parametrize("kind", sorted(registry.HOMES))
def test_every_kind_has_views_in_its_home_module(kind):
    fmts = registry.formats(kind)
    assert fmts, kind
    assert registry.registered(kind) == fmts  # the declared formats, no more, no fewer
    for fmt in fmts:
        assert callable(registry.lookup(kind, fmt))


def test_a_format_a_kind_lacks_is_a_usage_error_listing_its_formats():
    with pytest.raises(UsageError) as info:
        registry.render("grad", "latex", [])
    exc = info.value
    assert exc.exit_code == 2
    assert exc.message == "`format` latex does not apply to grad results"
    assert exc.hint == "use one of " + ", ".join(registry.formats("grad"))
    as_flags(exc)  # what the command line says
    assert exc.message == "--format latex does not apply to grad results"


def test_the_command_line_offers_the_registered_formats(run):
    result = run("eval", "--help")
    for fmt in registry.formats("eval"):
        assert fmt in result.output
    bad = run("eval", "x", "--at", "x=1", "--format", "latex")
    assert bad.exit_code == 2 and "'latex' is not one of" in bad.output


def test_every_kind_with_formats_has_a_home():
    assert set(registry.FORMATS) == set(registry.HOMES)


def test_a_view_in_an_undeclared_format_is_a_programming_error():
    with pytest.raises(ValueError, match="declare"):
        registry.view("grad", "latex")


def test_the_unknown_kind_is_a_programming_error():
    with pytest.raises(KeyError):
        registry.formats("nonsense")


def test_precise_results_are_written_plain_where_text_is_a_table():
    import adcli

    precise = [adcli.grad("x/3", {"x": "1"}, digits=30)]
    assert registry.render("grad", "text", precise) == registry.render("grad", "plain", precise)
    assert "0.333333333333333333333333333333" in registry.render("grad", "text", precise)


def test_views_hand_their_notes_back_instead_of_writing_to_stderr():
    """A failed check and an automatically chosen sparse form are said as
    Notes the caller writes; with no list they are dropped, never printed."""
    from pathlib import Path

    import adcli
    from adcli.sparse.drivers import sparse_jacobian

    fn = adcli.compile("abs(x)")
    kink = [fn.check({"x": 0.0})]
    for fmt in ("plain", "json", "jsonl", "csv", "tsv"):
        notes = []
        registry.render("check", fmt, kink, notes=notes)
        assert [(n.label, n.text.split(" ")[0]) for n in notes] == [("check", "kink")], fmt
    res = sparse_jacobian(adcli.compile("x*y, y"), {"x": 1.0, "y": 2.0})
    notes = []
    registry.render("sparse", "json", [res], notes=notes, auto=True)
    assert notes[0].label == "note" and notes[0].text.startswith("sparse output")
    root = Path(registry.__file__).parent
    writers = [p.name for p in root.glob("*.py") if p.name != "errors.py"
               and ("sys.stderr" in p.read_text() or "err=True" in p.read_text())]
    assert not writers, "views write to stderr (append a Note instead): " + ", ".join(writers)


def test_the_command_line_writes_the_notes_on_stderr(run):
    res = run("check", "abs(x)", "--at", "x=0", "--format", "json")
    assert res.exit_code == 1 and '"verdict": "kink"' in res.stdout
    assert res.stderr.splitlines()[-1].startswith("adcli: check: kink at ω2")
    assert "adcli:" not in res.stdout


def test_a_file_is_written_in_the_format_its_suffix_names():
    """plot --out: the registry's figure views decide what a name can be."""
    assert registry.file_format("figure", "dir.v2/plot.PNG") == "png"
    assert registry.file_format("figure", "plot.svg") == "svg"
    with pytest.raises(UsageError, match=r"`out` plot\.pdf: the name must end in \.png or \.svg"):
        registry.file_format("figure", "plot.pdf")
