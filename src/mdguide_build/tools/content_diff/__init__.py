"""What changed between two versions of the guide, said in the guide's own terms.

Pure: two loaded ``Content`` in, a ``DiffResult`` out; no files, no git (see
``revisions`` for reading a version of content/ from git).  A change reads as
a place and what happened there::

    Section 3 › Courses and tools › Resilience: paragraph 2 reworded
    Quote “It's okay to make mistakes and…”: attribution changed
    Section 2 › The person specification: case study of Dr Amira Hassan added (new in 1.1)
    Resource “Healthcare Quality Improvement Partnership”: has moved (the notes give both addresses)
    Person specification › Knowledge: criterion added

with the words added or removed in full, the markup rendered (``wording``).
Modules: ``changes`` (the result), ``recorder`` (recording a change; ``by_id``),
``sections`` (the alignment engine for sections and their blocks), ``differ``
(the other files), ``words`` (word diffs), ``report`` and ``html_report``.

How blocks are matched, so that one inserted paragraph is "added" and not
"everything after it reworded":

* things with an id (sections, subsections, pull quotes, case studies,
  criteria groups and criteria, figures, resources) are matched by id across
  the whole guide, so a quote that moves to another subsection is "moved";
* paragraphs, lists and notes are aligned by position with ``difflib``'s
  ``SequenceMatcher`` over their texts; in a stretch that differs, paragraphs
  are paired by similarity (more than half their words in common) and
  reported "reworded", with a word-level diff; the rest are "added" or
  "removed", unless the same text turns up elsewhere ("moved").
"""

from mdguide_build.tools.content_diff.changes import Change, DiffResult, Side
from mdguide_build.tools.content_diff.differ import diff_content
from mdguide_build.tools.content_diff.html_report import html_report
from mdguide_build.tools.content_diff.report import change_note, format_text, suggested_note
from mdguide_build.tools.content_diff.words import align, similarity, trimmed, word_diff

__all__ = [
    "Change",
    "DiffResult",
    "Side",
    "align",
    "change_note",
    "diff_content",
    "format_text",
    "html_report",
    "suggested_note",
    "similarity",
    "trimmed",
    "word_diff",
]
