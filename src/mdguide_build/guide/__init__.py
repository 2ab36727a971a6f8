"""The content model: pydantic models, the whole guide, numbering, labels, inline markup, handout selection. Pure: no I/O."""
