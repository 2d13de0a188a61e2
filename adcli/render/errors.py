"""One-screen error and warning messages for standard error."""


def locate(source, offset):
    """(line number, column, the line's text), 1-based, for an offset."""
    offset = max(0, min(offset, len(source)))
    line_start = source.rfind("\n", 0, offset) + 1
    line_end = source.find("\n", offset)
    if line_end < 0:
        line_end = len(source)
    line_no = source.count("\n", 0, offset) + 1
    return line_no, offset - line_start, source[line_start:line_end]


def excerpt(source, span, width=100):
    """The line of ``source`` holding ``span`` with a caret line under it."""
    start, end = span
    line_no, col, line = locate(source, start)
    length = max(1, min(end, start + len(line) - col) - start)
    # Keep long formulas to one screen: show a window around the column.
    left = 0
    if len(line) > width:
        left = max(0, min(col - width // 3, len(line) - width))
        more = "…" if left + width < len(line) else ""
        line = ("…" if left else "") + line[left:left + width] + more
        col = col - left + (1 if left else 0)
        length = min(length, width - col + 1)
    prefix = f"line {line_no}: " if "\n" in source.strip("\n") else ""
    return f"  {prefix}{line}\n  {' ' * (len(prefix) + col)}{'^' * length}"


def format_error(exc):
    lines = [f"adcli: error: {exc.message}"]
    if getattr(exc, "source", None) is not None and exc.span is not None:
        label = getattr(exc, "label", None)
        if label and label != "formula":
            lines.append(f"  in {label}:")
        lines.append(excerpt(exc.source, exc.span))
    if getattr(exc, "hint", None):
        lines.append(f"  {exc.hint}")
    return "\n".join(lines)


def format_warning(warning):
    return f"adcli: warning: {warning.message}"
