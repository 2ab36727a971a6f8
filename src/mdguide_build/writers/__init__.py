"""What finishes a file: EPUB packaging, Word styles, PDF, plain text, braille."""
