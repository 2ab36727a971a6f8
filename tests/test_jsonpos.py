"""The position-aware JSON parser: values, positions and hand-made mistakes."""

import json

import pytest

from mdguide_build.validate import jsonpos


def problem_of(text: str) -> jsonpos.Problem:
    with pytest.raises(jsonpos.JsonSyntaxError) as caught:
        jsonpos.parse(text)
    return caught.value.problem


def test_parses_like_json_and_records_positions():
    text = '{\n  "a": [1, 2.5, "x"],\n  "b": {"c": null, "d": true}\n}\n'
    parsed = jsonpos.parse(text)
    assert parsed.value == json.loads(text)
    assert parsed.positions["/a/2"] == (2, 17)
    assert parsed.positions["/b/c"] == (3, 14)
    assert parsed.key_positions["/b"] == (3, 3)


def test_pointer_tokens_are_escaped():
    parsed = jsonpos.parse('{"a/b": {"~": 1}}')
    assert "/a~1b/~0" in parsed.positions


def test_strings_with_escapes_decode():
    assert jsonpos.parse(r'{"s": "a\"b\u2019c\\"}').value == {"s": 'a"b’c\\'}


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("", "the file is empty", 1, 1),
        ('{"a": 1,}', "trailing comma before '}'", 1, 8),
        ("[1, 2,]", "trailing comma before ']'", 1, 6),
        ('{"a": 1 // note\n}', "comments are not allowed in JSON", 1, 9),
        ('{"a": 1', "the file ends inside the object opened at line 1, column 1", 1, 8),
        ('{"a": "unterminated', "the text is not closed before the end of the file", 1, 7),
        ("{'a': 1}", 'names must be in double quotes ("), not single quotes', 1, 2),
        ('{"a": yes}', "unexpected word 'yes'", 1, 7),
        ('{"a" 1}', "expected ':' after \"a\" but found '1'", 1, 6),
        ('{"a": 1 "b": 2}', "expected ',' or '}' but found '\"'", 1, 9),
        ('{"a": 1} x', "unexpected 'x' after the end of the JSON value", 1, 10),
        ('{"a": "\\q"}', "'\\q' is not a JSON escape", 1, 8),
        ('{"a": "x\ny"}', "the text has a line break inside it, or its closing quote is missing", 1, 9),
    ],
)
def test_syntax_errors_are_explained(text, message, line, column):
    problem = problem_of(text)
    assert (problem.code, problem.message, problem.line, problem.column) == ("E102", message, line, column)
    assert problem.hint


def test_duplicate_keys_are_reported_and_parsing_goes_on():
    parsed = jsonpos.parse('{"a": 1,\n "a": 2, "b": NaN}')
    codes = [(p.code, p.pointer, p.line, p.column) for p in parsed.problems]
    assert codes == [("E103", "/a", 2, 2), ("E104", "/b", 2, 15)]
    assert parsed.problems[0].message == 'duplicate key "a" (first at line 1, column 2)'


def test_infinity_and_huge_numbers():
    parsed = jsonpos.parse("[Infinity, -Infinity, 123456789012345678901234567890]")
    assert [p.code for p in parsed.problems] == ["E104", "E104", "E105"]


def test_deep_nesting_is_refused_without_recursion_error():
    problem = problem_of("[" * 5000 + "]" * 5000)
    assert problem.code == "E105"
    assert problem.message == f"nesting is deeper than {jsonpos.MAX_DEPTH} levels"
