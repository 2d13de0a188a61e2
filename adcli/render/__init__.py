"""Results to text: plain lines, JSON, Rich tables, error messages."""
