"""Foundations every stage uses and that use no other stage: atomic, byte-stable file
writing and CSV conventions (`io`), the one error type a user sees for bad input, with
masking of values that may identify a person (`problems`), and small pandas helpers
(`frames`)."""
