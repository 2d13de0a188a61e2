"""The C++ source of the compiled batches' streaming driver (:mod:`adcli.batch.jit_stream`).

Where its time goes (10^6 points, 4 inputs, 5 output cells): parsing the
numbers, writing the shortest digits of the results, and moving text.  So
it parses a block's lines straight into the kernel's column-major arrays,
a chunk of rows at a time (small enough to stay in cache), keeps pointers
into the caller's block instead of copying lines, and writes each result's
shortest round-trip digits (Schubfach, R. Giulietti 2020; the same digits as
``std::to_chars``, found about three times faster) straight from the
kernel's column-major output into one output buffer.  A number is read
once: its digits into an integer while the field is scanned, then Clinger's
fast path (exact) or Eisel-Lemire (the algorithm std::from_chars runs after
reading the text again), from_chars itself only for more than 19 digits,
subnormals and overflow.  Both tables are computed here with Python's exact
integers.
"""


def _floor_log2_pow10(e: int) -> int:
    """floor(log2(10^e)), exactly."""
    return (10**e).bit_length() - 1 if e >= 0 else -(10**-e).bit_length()


def _schubfach_table() -> str:
    """g(e) = floor(10^e * 2^(127 - floor(log2(10^e)))) + 1, 128 bits, for the
    e in [-292, 324] that Schubfach asks for, as C initialisers {high, low}:
    computed here with Python's exact integers rather than typed in."""
    rows = []
    for e in range(-292, 325):
        shift = 127 - _floor_log2_pow10(e)
        if e >= 0:
            g = (10**e << shift) if shift >= 0 else (10**e >> -shift)
        else:
            g = (1 << shift) // 10**-e
        g += 1
        rows.append(f"{{0x{g >> 64:016x}u, 0x{g & (2**64 - 1):016x}u}}")
    return ",\n".join(rows)


def _eisel_lemire_table() -> str:
    """5^q for q in [-342, 308] to 128 bits, normalised (top bit set) and
    truncated, as Eisel-Lemire's parser reads them (fast_float's table:
    for q < 0 the reciprocal, floor(2^b / 5^-q) + 1 with b the bits it needs),
    as C initialisers {high, low}."""
    rows = []
    for q in range(-342, 309):
        if q < 0:
            power = 5**-q
            z = power.bit_length() - (1 if power & (power - 1) == 0 else 0)  # ceil(log2)
            value = 2 ** (z + 127 if q >= -17 else 2 * z + 64) // power + 1
        else:
            value = 5**q
        shift = value.bit_length() - 128  # to 128 bits, truncated
        value = value >> shift if shift > 0 else value << -shift
        rows.append(f"{{0x{value >> 64:016x}u, 0x{value & (2**64 - 1):016x}u}}")
    return ",\n".join(rows)


SOURCE = r"""// adcli's streaming driver for compiled batches: CSV/TSV text in,
// CSV/TSV text out, the compiled kernel in between.  Formula-independent:
// built once, cached.
// Rows it cannot vouch for go back to Python (the row callback).
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

namespace {

typedef void (*kernel_fn)(long n, const double *X, double *OUT, int *status);
typedef int (*emit_fn)(const char *data, long len);
typedef int (*row_fn)(long line, const char *text, long len);

const long FLUSH_BYTES = 1 << 20;
const long CHUNK = 1024;  // rows per kernel call: a multiple of every vector width
const long CELL_BYTES = 32;  // a separator and the longest number (-1.2345678901234567e-308)

struct Entry {
    const char *text;  // into the caller's block, or Stream::pending
    long length;
    long line;
    long row;  // index into the chunk's kernel rows, or -1: Python's row
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
    std::string pending;  // a line split between two blocks
    std::vector<Entry> entries;
    long n_rows;  // kernel rows in this chunk
    std::vector<double> X, OUT;  // CHUNK rows: column-major (stride CHUNK) or row-major
    std::vector<int> status;
    std::vector<char> out;
    long used;  // bytes of out to emit
};

__extension__ typedef unsigned __int128 u128;

struct U128 { uint64_t hi, lo; };

// --- numbers in ------------------------------------------------------------

const U128 POW5[] = {
@POW5@
};

// w * 10^q (w < 10^19, exact) rounded to the nearest double, ties to even,
// by Eisel-Lemire (the algorithm std::from_chars uses, without its second
// reading of the text); false where it leaves the answer to from_chars:
// zero, subnormal or overflowing results, q outside the table.
bool eisel_lemire(uint64_t w, int q, bool negative, double *value) {
    if (w == 0 || q < -342 || q > 308) return false;
    int lz = __builtin_clzll(w);
    w <<= lz;
    const U128 &t = POW5[q + 342];
    u128 first = u128(w) * t.hi;
    uint64_t high = uint64_t(first >> 64), low = uint64_t(first);
    if ((high & 0x1ff) == 0x1ff) {  // the truncation may matter: the next 64 bits
        uint64_t more = uint64_t((u128(w) * t.lo) >> 64);
        low += more;
        if (more > low) high++;
    }
    int upper = int(high >> 63), shift = upper + 9;
    uint64_t mantissa = high >> shift;
    int power2 = ((217706 * q) >> 16) + 63 + upper - lz + 1023;
    if (power2 <= 0) return false;
    if (low <= 1 && q >= -4 && q <= 23 && (mantissa & 3) == 1 && (mantissa << shift) == high)
        mantissa &= ~uint64_t(1);  // exactly half way: to even, not up
    mantissa += mantissa & 1;
    mantissa >>= 1;
    if (mantissa >= (uint64_t(2) << 52)) { mantissa = uint64_t(1) << 52; power2++; }
    if (power2 >= 2047) return false;
    uint64_t bits = (mantissa & ~(uint64_t(1) << 52)) | (uint64_t(power2) << 52)
        | (uint64_t(negative) << 63);
    std::memcpy(value, &bits, sizeof bits);
    return true;
}

// Eight digits at a time, in one 64-bit word (little-endian: the first
// character in the lowest byte); a big-endian machine takes one at a time.
uint64_t load8(const char *p) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    return word;
}

bool eight_digits(uint64_t word) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return ((word & 0xf0f0f0f0f0f0f0f0u)
            | (((word + 0x0606060606060606u) & 0xf0f0f0f0f0f0f0f0u) >> 4))
        == 0x3333333333333333u;
#else
    (void)word;
    return false;
#endif
}

uint32_t parse8(uint64_t word) {  // the value of eight digit characters
    word -= 0x3030303030303030u;
    word = word * 10 + (word >> 8);  // byte pairs -> two-digit numbers
    const uint64_t mask = 0x000000ff000000ffu;
    word = ((word & mask) * 0x000f424000000064u  // 100 + 10^6 << 32
            + ((word >> 16) & mask) * 0x0000271000000001u) >> 32;  // 1 + 10^4 << 32
    return uint32_t(word);
}

// A number the Python path reads as the same number, from p up to the first
// character that cannot continue it: [-]digits[.digits][e[+-]digits] (at
// least one digit in the mantissa), finite.  Where it stopped, or nullptr.
const char *scan_number(const char *p, const char *end, double *value) {
    static const double POW10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                                   1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
                                   1e20, 1e21, 1e22};
    const char *q = p;
    bool negative = q < end && *q == '-';
    if (negative) q++;
    uint64_t mantissa = 0;
    int digits = 0, fraction = 0;
    for (uint64_t eight; end - q >= 8 && eight_digits(eight = load8(q)); q += 8, digits += 8)
        mantissa = mantissa * 100000000u + parse8(eight);
    while (q < end && unsigned(*q - '0') < 10) {
        mantissa = mantissa * 10 + unsigned(*q - '0'); q++; digits++;
    }
    if (q < end && *q == '.') {
        q++;
        for (uint64_t eight; end - q >= 8 && eight_digits(eight = load8(q));
             q += 8, digits += 8, fraction += 8)
            mantissa = mantissa * 100000000u + parse8(eight);
        while (q < end && unsigned(*q - '0') < 10) {
            mantissa = mantissa * 10 + unsigned(*q - '0'); q++; digits++; fraction++;
        }
    }
    if (digits == 0) return nullptr;
    int exponent = 0;
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        bool minus = q < end && *q == '-';
        if (q < end && (*q == '+' || *q == '-')) q++;
        int exp_digits = 0;
        while (q < end && unsigned(*q - '0') < 10) {
            if (exponent < 100000) exponent = exponent * 10 + (*q - '0');
            q++; exp_digits++;
        }
        if (exp_digits == 0) return nullptr;
        if (minus) exponent = -exponent;
    }
    exponent -= fraction;
    // Clinger's fast path: both factors exact, so one rounding, the right one
    if (digits <= 15 && exponent >= -22 && exponent <= 22) {
        double v = double(mantissa);
        v = exponent < 0 ? v / POW10[-exponent] : v * POW10[exponent];
        *value = negative ? -v : v;
        return q;
    }
    if (digits <= 19 && eisel_lemire(mantissa, exponent, negative, value)) return q;
    auto res = std::from_chars(p, q, *value);
    if (res.ec != std::errc() || res.ptr != q || !std::isfinite(*value)) return nullptr;
    return q;
}

// --- numbers out -------------------------------------------------------------

const U128 SCHUBFACH_G[] = {
@TABLE@
};

int floor_log2_pow10(int e) { return (e * 1741647) >> 19; }
int floor_log10_pow2(int e) { return (e * 1262611) >> 22; }
int floor_log10_three_quarters_pow2(int e) { return (e * 1262611 - 524031) >> 22; }

uint64_t round_to_odd(const U128 &g, uint64_t cp) {
    u128 x = u128(g.lo) * cp;
    u128 y = u128(g.hi) * cp + (x >> 64);
    uint64_t y_hi = uint64_t(y >> 64), y_lo = uint64_t(y);
    return y_hi | (y_lo > 1);
}

// The shortest decimal digits * 10^exponent that read back as v (finite,
// > 0), the closest of them, ties to even: Schubfach (Giulietti), the
// digits std::to_chars's shortest form gives.  Trailing zeros removed.
void shortest(double v, uint64_t *digits, int *exponent) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    uint64_t fraction = bits & ((uint64_t(1) << 52) - 1);
    int biased = int(bits >> 52) & 0x7ff;
    uint64_t c;
    int q;
    if (biased != 0) { c = fraction | (uint64_t(1) << 52); q = biased - 1075; }
    else { c = fraction; q = -1074; }
    bool even = (c & 1) == 0;
    bool lower_closer = fraction == 0 && biased > 1;
    uint64_t cbl = 4 * c - 2 + lower_closer, cb = 4 * c, cbr = 4 * c + 2;
    int k = lower_closer ? floor_log10_three_quarters_pow2(q) : floor_log10_pow2(q);
    int h = q + floor_log2_pow10(-k) + 1;
    const U128 &g = SCHUBFACH_G[-k + 292];
    uint64_t vbl = round_to_odd(g, cbl << h);
    uint64_t vb = round_to_odd(g, cb << h);
    uint64_t vbr = round_to_odd(g, cbr << h);
    uint64_t lower = vbl + !even, upper = vbr - !even;
    uint64_t s = vb / 4, result;
    int e = k;
    bool done = false;
    if (s >= 10) {  // one digit fewer, if exactly one of its neighbours is inside
        uint64_t sp = s / 10;
        bool up_inside = lower <= 40 * sp, wp_inside = 40 * sp + 40 <= upper;
        if (up_inside != wp_inside) { result = sp + wp_inside; e = k + 1; done = true; }
    }
    if (!done) {
        bool u_inside = lower <= 4 * s, w_inside = 4 * s + 4 <= upper;
        if (u_inside != w_inside) result = s + w_inside;
        else {
            uint64_t mid = 4 * s + 2;
            result = s + (vb > mid || (vb == mid && (s & 1) != 0));
        }
    }
    while (result % 10 == 0) { result /= 10; e++; }
    *digits = result;
    *exponent = e;
}

const char DIGIT_PAIRS[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// v < 10^8 as exactly 8 digits (leading zeros), four independent lookups
void write8(char *p, uint32_t v) {
    uint32_t high = v / 10000, low = v % 10000;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    // all eight at once in one word: 4-digit halves in 32-bit lanes, split
    // into 2-digit 16-bit lanes, then into digits in the bytes
    uint64_t lanes = high | (uint64_t(low) << 32);
    uint64_t hundreds = ((lanes * 10486) >> 20) & 0x0000007f0000007fu;  // lane / 100
    lanes = hundreds | ((lanes - hundreds * 100) << 16);
    uint64_t tens = ((lanes * 103) >> 10) & 0x000f000f000f000fu;  // lane / 10
    lanes = tens | ((lanes - tens * 10) << 8);
    lanes += 0x3030303030303030u;
    std::memcpy(p, &lanes, 8);
#else
    std::memcpy(p, DIGIT_PAIRS + 2 * (high / 100), 2);
    std::memcpy(p + 2, DIGIT_PAIRS + 2 * (high % 100), 2);
    std::memcpy(p + 4, DIGIT_PAIRS + 2 * (low / 100), 2);
    std::memcpy(p + 6, DIGIT_PAIRS + 2 * (low % 100), 2);
#endif
}

const uint64_t POW10_U64[] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
    10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
    1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
    10000000000000000000u};

int count_digits(uint64_t d) {  // d > 0
    int t = (64 - __builtin_clzll(d)) * 1233 >> 12;  // floor(log10(d)) or one more
    return t - (d < POW10_U64[t]) + 1;
}

// The shortest round-trip digits, laid out as the batch writer lays them
// out: orjson's layout without a whole number's ".0" (fixed for
// 1e-5 <= |v| < 1e16), or Arrow's (double-conversion ToShortest with
// EMIT_POSITIVE_EXPONENT_SIGN, decimal_in_shortest -6..10).
char *format_number(char *p, double v, bool arrow) {
    if (std::isnan(v)) { std::memcpy(p, "nan", 3); return p + 3; }
    if (std::signbit(v)) { *p++ = '-'; v = -v; }
    if (std::isinf(v)) { std::memcpy(p, "inf", 3); return p + 3; }
    if (v == 0) { *p++ = '0'; return p; }
    uint64_t d;
    int k;
    shortest(v, &d, &k);
    int n = count_digits(d);  // d < 10^18: write all 24 places, keep the last n
    char places[24];
    uint64_t high = d / 100000000u;
    write8(places + 16, uint32_t(d % 100000000u));
    write8(places + 8, uint32_t(high % 100000000u));
    write8(places, uint32_t(high / 100000000u));
    const char *digits = places + 24 - n;
    int e = k + n - 1;  // the scientific exponent
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
    if (e >= 100) { *p++ = char('0' + e / 100); e %= 100; }
    else if (e < 10) { *p++ = char('0' + e); return p; }
    std::memcpy(p, DIGIT_PAIRS + 2 * e, 2);
    return p + 2;
}

// --- the stream ----------------------------------------------------------------

bool flush(Stream *s) {
    if (s->used > 0) {
        if (s->emit(s->out.data(), s->used) != 0) { s->failed = 1; return false; }
        s->used = 0;
    }
    return true;
}

// Room for `bytes` more in the output buffer, flushing first if need be.
bool reserve(Stream *s, long bytes) {
    if (s->used + bytes > long(s->out.size())) {
        if (!flush(s)) return false;
        if (bytes > long(s->out.size())) s->out.resize(size_t(bytes));
    }
    return true;
}

double *x_cell(Stream *s, long i, int j) {
    return s->width > 0 ? &s->X[size_t(j) * CHUNK + i] : &s->X[size_t(i) * s->n_in + j];
}

void run(Stream *s);

// One line (its text stays valid until the chunk runs): parsed into the
// chunk's next kernel row when it is plain numbers, else Python's row.
void add_line(Stream *s, const char *p, long len) {
    s->line++;
    if (len > 0 && p[len - 1] == '\r') len--;
    if (len == 0) return;  // a blank line: skipped, as Python skips it
    Entry e{p, len, s->line, -1};
    long i = s->n_rows;
    const char *field = p, *end = p + len;
    bool ok = true;
    for (int j = 0; j < s->n_in; j++) {
        const char *stop = scan_number(field, end, x_cell(s, i, j));
        bool last = j == s->n_in - 1;
        if (stop == nullptr || (last ? stop != end : (stop == end || *stop != s->sep))) {
            ok = false;
            break;
        }
        field = stop + 1;
    }
    if (ok) e.row = s->n_rows++;
    s->entries.push_back(e);
    if (s->n_rows == CHUNK || long(s->entries.size()) >= 4 * CHUNK) run(s);
}

// The chunk through the kernel, then its lines written in order.
void run(Stream *s) {
    long n = s->n_rows, cells = s->n_cols > 0 ? s->n_cols : 1;
    long stride = n;  // of the column-major output
    if (n > 0) {
        if (s->width > 0) {  // column-major, padded with zeros to whole vectors
            long padded = (n + s->width - 1) / s->width * s->width;
            for (int j = 0; j < s->n_in; j++) {
                double *column = &s->X[size_t(j) * CHUNK];
                if (padded < CHUNK && j > 0)  // stride CHUNK -> stride padded
                    std::memmove(&s->X[size_t(j) * padded], column, sizeof(double) * n);
                double *moved = padded < CHUNK ? &s->X[size_t(j) * padded] : column;
                for (long i = n; i < padded; i++) moved[i] = 0.0;
            }
            stride = padded;
            std::memset(s->status.data(), 0, sizeof(int) * padded);
            s->kernel(padded, s->X.data(), s->OUT.data(), s->status.data());
        } else {
            std::memset(s->status.data(), 0, sizeof(int) * n);
            s->kernel(n, s->X.data(), s->OUT.data(), s->status.data());
        }
    }
    const long row_bytes = CELL_BYTES * s->n_cols + 2;
    for (const Entry &e : s->entries) {
        bool mine = e.row >= 0 && s->status[e.row] == 0;
        long step = s->width > 0 ? stride : 1;
        const double *o = nullptr;
        if (mine) {
            o = s->width > 0 ? &s->OUT[e.row] : &s->OUT[size_t(e.row) * cells];
            for (int c = 0; mine && c < s->n_cols; c++)
                if (!std::isfinite(o[c * step])) mine = false;
        }
        if (!mine) {  // the engine's row: computed, reported and written by Python
            if (!flush(s)) return;
            if (s->row(e.line, e.text, e.length) != 0) { s->failed = 1; return; }
            continue;
        }
        if (!reserve(s, e.length + row_bytes)) return;
        char *p = s->out.data() + s->used;
        std::memcpy(p, e.text, size_t(e.length));
        p += e.length;
        for (int c = 0; c < s->n_cols; c++) {
            *p++ = s->sep;
            p = format_number(p, o[c * step], s->arrow);
        }
        *p++ = s->sep;  // the empty error cell
        *p++ = '\n';
        s->used = p - s->out.data();
        s->rows_done++;
        if (s->used >= FLUSH_BYTES && !flush(s)) return;
    }
    s->entries.clear();
    s->n_rows = 0;
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
    s->n_rows = 0;
    s->X.assign(size_t(n_in) * CHUNK, 0.0);
    s->OUT.assign(size_t(n_cols > 0 ? n_cols : 1) * CHUNK, 0.0);
    s->status.assign(CHUNK, 0);
    s->out.resize(FLUSH_BYTES + 4096);
    s->used = 0;
    s->entries.reserve(4 * CHUNK);
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
        p = nl + 1;
    }
    while (p < end && !s->failed) {
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', end - p));
        if (nl == nullptr) break;
        add_line(s, p, nl - p);
        p = nl + 1;
    }
    if (!s->failed) run(s);  // before pending changes: entries may point into it
    if (!s->failed) flush(s);
    s->pending.assign(p, end - p);
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
        if (!s->failed) run(s);
        if (!s->failed) flush(s);
        s->pending.clear();
    }
    return s->failed;
}

long adcli_stream_rows(void *handle) { return static_cast<Stream *>(handle)->rows_done; }

void adcli_stream_free(void *handle) { delete static_cast<Stream *>(handle); }

}
""".replace("@TABLE@", _schubfach_table()).replace("@POW5@", _eisel_lemire_table())
