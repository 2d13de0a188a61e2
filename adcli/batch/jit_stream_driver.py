"""The C++ source of the compiled batches' streaming driver (:mod:`adcli.batch.jit_stream`)."""

SOURCE = r"""// adcli's streaming driver for compiled batches: CSV/TSV text in,
// CSV/TSV text out, the compiled kernel in between.  Formula-independent:
// built once, cached.
// Rows it cannot vouch for go back to Python (the row callback).
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

namespace {

typedef void (*kernel_fn)(long n, const double *X, double *OUT, int *status);
typedef int (*emit_fn)(const char *data, long len);
typedef int (*row_fn)(long line, const char *text, long len);

const long FLUSH_BYTES = 1 << 20;

struct Entry {
    long line;
    long offset;  // of the echoed text in Stream::text
    long length;
    long row;     // index into the kernel's rows, or -1: Python's row
};

struct Stream {
    kernel_fn kernel;
    long width;  // > 0: column-major, padded to a multiple of width
    int n_in, n_cols;
    char sep;
    long line;  // the number of the last line consumed
    bool arrow;  // Arrow's layout of numbers, else orjson's
    emit_fn emit;
    row_fn row;
    long rows_done;
    int failed;
    std::string pending;
    std::string text;
    std::vector<Entry> entries;
    std::vector<double> X, OUT;
    std::vector<int> status;
    std::string out;
};

// A field the Python path reads as the same number: [-]digits[.digits][e[+-]digits]
// (at least one digit in the mantissa), finite.  Anything else is Python's.
bool parse_number(const char *p, const char *end, double *value) {
    const char *q = p;
    if (q < end && *q == '-') q++;
    int digits = 0;
    while (q < end && *q >= '0' && *q <= '9') { q++; digits++; }
    if (q < end && *q == '.') {
        q++;
        while (q < end && *q >= '0' && *q <= '9') { q++; digits++; }
    }
    if (digits == 0) return false;
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < end && (*q == '+' || *q == '-')) q++;
        int exp_digits = 0;
        while (q < end && *q >= '0' && *q <= '9') { q++; exp_digits++; }
        if (exp_digits == 0) return false;
    }
    if (q != end) return false;
    auto res = std::from_chars(p, end, *value);
    return res.ec == std::errc() && res.ptr == end && std::isfinite(*value);
}

// The shortest round-trip digits (std::to_chars), laid out as the batch
// writer lays them out: orjson's layout without a whole number's ".0"
// (fixed for 1e-5 <= |v| < 1e16), or Arrow's (double-conversion ToShortest
// with EMIT_POSITIVE_EXPONENT_SIGN, decimal_in_shortest -6..10).
char *format_number(char *p, double v, bool arrow) {
    if (std::isnan(v)) { std::memcpy(p, "nan", 3); return p + 3; }
    if (std::isinf(v)) {
        if (v < 0) *p++ = '-';
        std::memcpy(p, "inf", 3);
        return p + 3;
    }
    char buf[40];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    const char *q = buf;
    if (*q == '-') { *p++ = '-'; q++; }
    char digits[24];
    int n = 0;
    while (q < res.ptr && *q != 'e') { if (*q != '.') digits[n++] = *q; q++; }
    q++;  // 'e'
    bool negative = *q == '-';
    q++;
    int e = 0;
    while (q < res.ptr) e = e * 10 + (*q++ - '0');
    if (negative) e = -e;
    int point = e + 1;  // digits before the decimal point
    bool fixed = arrow ? (-6 <= e && e < 10) : (-5 < point && point <= 16);
    if (fixed) {
        if (point <= 0) {
            *p++ = '0'; *p++ = '.';
            for (int i = 0; i < -point; i++) *p++ = '0';
            std::memcpy(p, digits, n); p += n;
        } else if (point >= n) {
            std::memcpy(p, digits, n); p += n;
            for (int i = n; i < point; i++) *p++ = '0';
        } else {
            std::memcpy(p, digits, point); p += point;
            *p++ = '.';
            std::memcpy(p, digits + point, n - point); p += n - point;
        }
        return p;
    }
    *p++ = digits[0];
    if (n > 1) { *p++ = '.'; std::memcpy(p, digits + 1, n - 1); p += n - 1; }
    *p++ = 'e';
    if (e < 0) { *p++ = '-'; e = -e; } else { *p++ = '+'; }
    char exp[8];
    int k = 0;
    do { exp[k++] = char('0' + e % 10); e /= 10; } while (e);
    while (k > 0) { k -= 1; *p++ = exp[k]; }
    return p;
}

bool flush(Stream *s) {
    if (!s->out.empty()) {
        if (s->emit(s->out.data(), long(s->out.size())) != 0) { s->failed = 1; return false; }
        s->out.clear();
    }
    return true;
}

void add_line(Stream *s, const char *p, long len) {
    s->line++;
    if (len > 0 && p[len - 1] == '\r') len--;
    if (len == 0) return;  // a blank line: skipped, as Python skips it
    Entry e{s->line, long(s->text.size()), len, -1};
    s->text.append(p, len);
    long row = long(s->status.size());
    double values[64];
    double *x = s->n_in <= 64 ? values : nullptr;
    bool ok = x != nullptr;
    const char *field = p, *end = p + len;
    for (int j = 0; ok && j < s->n_in; j++) {
        const char *stop = static_cast<const char *>(std::memchr(field, s->sep, end - field));
        if (stop == nullptr) stop = end;
        if ((stop == end) != (j == s->n_in - 1)) { ok = false; break; }
        ok = parse_number(field, stop, &x[j]);
        field = stop + 1;
    }
    if (ok) {
        e.row = row;
        s->status.push_back(0);
        for (int j = 0; j < s->n_in; j++) s->X.push_back(x[j]);
    }
    s->entries.push_back(e);
}

void run(Stream *s) {
    long n = long(s->status.size());
    if (n > 0) {
        long cells = s->n_cols > 0 ? s->n_cols : 1;
        if (s->width > 0) {  // column-major, padded with zeros to whole vectors
            long padded = (n + s->width - 1) / s->width * s->width;
            std::vector<double> Xc(size_t(s->n_in) * padded, 0.0);
            for (long i = 0; i < n; i++)
                for (int j = 0; j < s->n_in; j++)
                    Xc[size_t(j) * padded + i] = s->X[size_t(i) * s->n_in + j];
            s->OUT.assign(size_t(cells) * padded, 0.0);
            s->status.assign(padded, 0);
            s->kernel(padded, Xc.data(), s->OUT.data(), s->status.data());
            // back to row-major for the writing below
            std::vector<double> rows(size_t(n) * cells);
            for (long i = 0; i < n; i++)
                for (long c = 0; c < cells; c++)
                    rows[size_t(i) * cells + c] = s->OUT[size_t(c) * padded + i];
            s->OUT.swap(rows);
        } else {
            s->OUT.assign(size_t(cells) * n, 0.0);
            s->kernel(n, s->X.data(), s->OUT.data(), s->status.data());
        }
    }
    char cell[48];
    for (const Entry &e : s->entries) {
        bool mine = e.row >= 0 && s->status[e.row] == 0;
        const double *o = mine ? &s->OUT[size_t(e.row) * (s->n_cols > 0 ? s->n_cols : 1)] : nullptr;
        for (int c = 0; mine && c < s->n_cols; c++)
            if (!std::isfinite(o[c])) mine = false;
        if (!mine) {  // the engine's row: computed, reported and written by Python
            if (!flush(s)) return;
            if (s->row(e.line, s->text.data() + e.offset, e.length) != 0) { s->failed = 1; return; }
            continue;
        }
        s->out.append(s->text, size_t(e.offset), size_t(e.length));
        for (int c = 0; c < s->n_cols; c++) {
            cell[0] = s->sep;
            char *end = format_number(cell + 1, o[c], s->arrow);
            s->out.append(cell, size_t(end - cell));
        }
        s->out.push_back(s->sep);  // the empty error cell
        s->out.push_back('\n');
        s->rows_done++;
        if (long(s->out.size()) >= FLUSH_BYTES && !flush(s)) return;
    }
    s->entries.clear();
    s->text.clear();
    s->X.clear();
    s->status.clear();
    flush(s);
}

}  // namespace

extern "C" {

void *adcli_stream_new(void *kernel, long width, int n_in, int n_cols, int sep, int arrow,
                       long line, void *emit, void *row) {
    Stream *s = new Stream();
    s->kernel = reinterpret_cast<kernel_fn>(kernel);
    s->width = width;
    s->n_in = n_in;
    s->n_cols = n_cols;
    s->sep = char(sep);
    s->arrow = arrow != 0;
    s->line = line;
    s->emit = reinterpret_cast<emit_fn>(emit);
    s->row = reinterpret_cast<row_fn>(row);
    s->rows_done = 0;
    s->failed = 0;
    return s;
}

// Complete lines of data (and any partial line held from the last call)
// are computed and written; a partial last line is kept.  0, or 1 when a
// callback failed (Python has the exception).
int adcli_stream_feed(void *handle, const char *data, long len) {
    Stream *s = static_cast<Stream *>(handle);
    const char *p = data, *end = data + len;
    if (!s->pending.empty()) {
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', end - p));
        if (nl == nullptr) { s->pending.append(p, end - p); return s->failed; }
        s->pending.append(p, nl - p);
        add_line(s, s->pending.data(), long(s->pending.size()));
        s->pending.clear();
        p = nl + 1;
    }
    while (p < end) {
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', end - p));
        if (nl == nullptr) { s->pending.assign(p, end - p); break; }
        add_line(s, p, nl - p);
        p = nl + 1;
    }
    run(s);
    return s->failed;
}

// The last line, if it had no newline (a line of blanks only is no row).
int adcli_stream_finish(void *handle) {
    Stream *s = static_cast<Stream *>(handle);
    if (!s->pending.empty()) {
        bool blank = true;  // as Python's bytes.strip() sees blanks
        for (char c : s->pending)
            if (std::strchr(" \t\r\n\f\v", c) == nullptr || c == '\0') blank = false;
        if (!blank) add_line(s, s->pending.data(), long(s->pending.size()));
        s->pending.clear();
        run(s);
    }
    return s->failed;
}

long adcli_stream_rows(void *handle) { return static_cast<Stream *>(handle)->rows_done; }

void adcli_stream_free(void *handle) { delete static_cast<Stream *>(handle); }

}
"""
