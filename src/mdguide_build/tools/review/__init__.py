"""`mdguide review`: send the guide out as a Word document, and bring reviewers' changes back."""
