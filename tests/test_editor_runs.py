"""A text as the editor's fields hold it (runs) and back: every text of the guide comes back byte for byte."""

from __future__ import annotations

import pytest

from mdguide_build.guide.texts import marked_texts
from mdguide_build.tools.editor.runs import RunsError, check_runs, to_markup, to_runs


def every_text(content):
    for source in content.files:
        for pointer, text in marked_texts(source.model):
            yield f"{source.relpath}#{pointer}", text


def test_every_text_of_the_guide_survives_the_editor(content):
    texts = dict(every_text(content))
    assert len(texts) > 150
    for where, text in texts.items():
        runs = to_runs(text)
        # Written afresh from its runs (no stored text to fall back on), each text is what content/ holds.
        assert to_markup(runs) == text, where


def test_formatting_becomes_the_guides_markup():
    runs = [
        {"text": "Read "},
        {"text": "Good medical practice", "em": True},
        {"cite": "gmc-good-medical-practice"},
        {"text": " and "},
        {"text": "the King’s Fund", "link": "kings-fund-x"},
        {"text": " now", "strong": True},
    ]
    assert to_markup(runs) == (
        "Read *Good medical practice*[^gmc-good-medical-practice] and [the King’s Fund][kings-fund-x]** now**"
    )


def test_markup_characters_typed_as_words_stay_words():
    typed = "5 * 3 [sic] \\ *not italic*"
    text = to_markup([{"text": typed}])
    assert text == "5 \\* 3 \\[sic\\] \\\\ \\*not italic\\*"
    assert to_runs(text) == [{"text": typed}]


def test_an_unchanged_text_keeps_its_own_spelling():
    stored = "a \\_ b"  # an escape the writer would not make: the stored text is kept as it is
    assert to_markup(to_runs(stored), stored) == stored


def test_what_the_markup_cannot_say_is_refused_with_a_hint():
    with pytest.raises(RunsError) as refused:
        to_markup([{"text": "x", "em": True}, {"text": "y", "strong": True}])
    assert refused.value.message == "this mix of italic and bold cannot be stored"
    assert "put a space between italic and bold words" in refused.value.hint


@pytest.mark.parametrize(
    "runs, message",
    [
        ("text", "a text must be a list of runs"),
        ([{"text": "a", "cite": "b"}], "each run must hold either words or one citation"),
        ([{"text": "a", "underline": True}], "unknown formatting 'underline'"),
        ([{"cite": "Not An Id] [x"}], "'Not An Id] [x' is not a resource id"),
        ([{"text": "a", "link": "../../etc"}], "'../../etc' is not a resource id"),
    ],
)
def test_runs_from_a_browser_are_checked(runs, message):
    with pytest.raises(RunsError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        check_runs(runs)
