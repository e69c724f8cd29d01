/* csv.c - CSV files with a header row naming the columns.  The columns named
 * by the caller's `label` list are the targets, every other column is a
 * feature.  Two kinds of feature columns:
 *   - exactly pixel0..pixelK-1 in order (Kaggle's digit recognizer): the
 *     values are integers 0..255, kept as bytes (pix);
 *   - anything else (tabular data): finite decimal numbers, kept as floats
 *     (xf).
 * Samples are flat ([K]); K comes from the header.  See data.h for the
 * contract; this file is the parser.
 *
 * The whole file is in memory (rt_read_all); rows are parsed in place, and
 * every buffer is sized from the file itself (its line count), never from a
 * number written in it. */
#include "loader.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_NUMBER 255   /* longest number text we convert; repr needs ~24 */

/* A piece of the file (or of the label list): [s, e). */
typedef struct span {
    const unsigned char *s, *e;
} span;

typedef struct csv {
    const char *path;
    const unsigned char *p, *end;     /* unread input */
    const unsigned char *line, *eol;  /* current line, without its \r\n */
    long lineno;
    int classes;                      /* > 0: one class-index target; 0: float targets */
    int ncols;                        /* fields per row, from the header */
    int nfeat, nlab;                  /* feature columns; target columns (0: unlabeled) */
    int kaggle;                       /* features are pixel0..pixelK-1: bytes 0..255 */
    span *col;                        /* each column's name in the header line */
    int *role;                        /* each column: -1 feature, else its target index */
    span *lab;                        /* the caller's label names, in their order */
    int nlabnames;
    char dp;                          /* strtod's decimal point in the current locale */
    char *err;
    size_t errlen;
} csv;

/* What a field holds, when it is not a usable value. */
enum { V_OK, V_EMPTY, V_NA, V_NOTNUM, V_INF, V_LONG, V_F32, V_NOTINT, V_RANGE };

/* ------------------------------------------------------------------ */
/* Messages and lines                                                  */
/* ------------------------------------------------------------------ */

/* "PATH:LINE:COL: error: ..." where COL is the 1-based column of `at`. */
RT_PRINTF_LIKE(3, 4)
static void csv_err(const csv *c, const unsigned char *at, const char *fmt, ...)
{
    va_list ap;
    int k;

    if (!c->err || c->errlen == 0)
        return;
    k = snprintf(c->err, c->errlen, "%s:%ld:%ld: error: ", c->path, c->lineno,
                 (long)(at - c->line) + 1);
    if (k < 0 || (size_t)k >= c->errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
    va_end(ap);
}

static int next_line(csv *c)
{
    const unsigned char *nl;

    if (c->p >= c->end)
        return 0;
    nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    c->line = c->p;
    c->eol = nl ? nl : c->end;
    c->p = nl ? nl + 1 : c->end;
    if (c->eol > c->line && c->eol[-1] == '\r') /* CRLF */
        c->eol--;
    c->lineno++;
    return 1;
}

static int rest_is_blank(const unsigned char *p, const unsigned char *end)
{
    for (; p < end; p++)
        if (*p != '\n' && *p != '\r')
            return 0;
    return 1;
}

/* Copies a field for quoting in a message: bounded, one line, printable. */
static const char *field_text(span f, char *buf, size_t bl)
{
    size_t i = 0;
    const unsigned char *s = f.s;

    for (; s < f.e && i + 4 < bl; s++, i++)
        buf[i] = *s >= 0x20 && *s < 0x7f ? (char)*s : '?';
    buf[i] = '\0';
    if (s < f.e)
        strcpy(buf + i, "...");
    return buf;
}

static int count_fields(const unsigned char *s, const unsigned char *e)
{
    int n = 1;

    for (; s < e; s++)
        n += *s == ',';
    return n;
}

/* Field i of ncols at *s into *f, *s moved past the comma.  inline (as
   trim): without it the Kaggle train.csv takes 1.5x the CPU time.  Checks the
   column count as it goes so the error points at where the row went wrong:
   end of line for too few, the first extra field for too many. */
static inline int csv_field(csv *c, const unsigned char **s, int i, span *f)
{
    const unsigned char *comma = memchr(*s, ',', (size_t)(c->eol - *s));

    if (!comma && i < c->ncols - 1) {
        csv_err(c, c->eol, "expected %d fields, got %d", c->ncols, i + 1);
        return -1;
    }
    if (comma && i == c->ncols - 1) {
        csv_err(c, comma + 1, "expected %d fields, got %d", c->ncols,
                count_fields(c->line, c->eol));
        return -1;
    }
    f->s = *s;
    f->e = comma ? comma : c->eol;
    *s = comma ? comma + 1 : c->eol;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

static int is_blank(unsigned char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Spaces and tabs around a field are not part of it ("1, 2, 3").  A blank
   field becomes empty at its start, where an error should point.  The
   first test is the common case (nothing to trim) made cheap: this runs
   for each of the 33 million fields of Kaggle's train.csv. */
static inline span trim(span f)
{
    span t = f;

    if (f.s == f.e || (!is_blank(*f.s) && !is_blank(f.e[-1])))
        return f;
    while (t.s < t.e && is_blank(*t.s))
        t.s++;
    while (t.e > t.s && is_blank(t.e[-1]))
        t.e--;
    return t.s < t.e ? t : (span){f.s, f.s};
}

/* ASCII case-insensitive equality (not tolower: that follows the locale). */
static int ieq(span f, const char *w)
{
    size_t n = strlen(w);

    if ((size_t)(f.e - f.s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((f.s[i] | 0x20) != (w[i] | 0x20))
            return 0;
    return 1;
}

/* The markers pandas, R and the UCI files use for a missing value. */
static int is_na(span f)
{
    static const char *const na[] = {"na", "n/a", "nan", "-nan", "+nan", "null", "none", "?"};

    for (size_t i = 0; i < sizeof na / sizeof na[0]; i++)
        if (ieq(f, na[i]))
            return 1;
    return 0;
}

static int is_inf(span f)
{
    if (f.s < f.e && (*f.s == '+' || *f.s == '-'))
        f.s++;
    return ieq(f, "inf") || ieq(f, "infinity");
}

static const unsigned char *digits(const unsigned char *s, const unsigned char *e)
{
    while (s < e && *s >= '0' && *s <= '9')
        s++;
    return s;
}

/* [+-]? (D+ (. D*)? | . D+) ([eE] [+-]? D+)?: what strtod reads in the C
   locale minus nan, inf and hex, which we refuse (a NaN feature would only
   show up later as a diverged loss). */
static int is_decimal(span f)
{
    const unsigned char *s = f.s, *e = f.e, *q;
    int mant;

    if (s < e && (*s == '+' || *s == '-'))
        s++;
    q = digits(s, e);
    mant = q > s;
    if (q < e && *q == '.') {
        s = q + 1;
        q = digits(s, e);
        mant |= q > s;
    }
    if (!mant)
        return 0;
    if (q < e && (*q == 'e' || *q == 'E')) {
        s = q + 1;
        if (s < e && (*s == '+' || *s == '-'))
            s++;
        q = digits(s, e);
        if (q == s)
            return 0;
    }
    return q == e;
}

/* A decimal number (after trim) as a double; V_OK or why not.  strtod
   rounds correctly, but takes its decimal point from the locale, so the
   '.' is swapped for that point in a bounded copy. */
static int parse_real(const csv *c, span f, double *v)
{
    char buf[CSV_MAX_NUMBER + 1];
    size_t n = (size_t)(f.e - f.s);

    if (n == 0)
        return V_EMPTY;
    if (!is_decimal(f)) /* only now tell the kinds of non-number apart: speed */
        return is_na(f) ? V_NA : is_inf(f) ? V_INF : V_NOTNUM;
    if (n > CSV_MAX_NUMBER)
        return V_LONG;
    for (size_t i = 0; i < n; i++)
        buf[i] = f.s[i] == '.' ? c->dp : (char)f.s[i];
    buf[n] = '\0';
    *v = strtod(buf, NULL);
    return V_OK;
}

/* A decimal number that fits in a float: a feature or a float target. */
static int parse_float(const csv *c, span f, float *v)
{
    double d = 0;
    int st = parse_real(c, f, &d);

    if (st != V_OK)
        return st;
    *v = (float)d;
    return isfinite(*v) ? V_OK : V_F32;
}

/* A Kaggle pixel: digits only, 0..255. */
static int parse_pixel(span f, unsigned char *v)
{
    int acc = 0;

    if (f.s == f.e)
        return V_EMPTY;
    if (digits(f.s, f.e) != f.e)
        return is_na(f) ? V_NA : V_NOTINT;
    for (const unsigned char *q = f.s; q < f.e; q++) {
        acc = acc * 10 + (*q - '0');
        if (acc > 255)
            return V_RANGE; /* stop early: no overflow however long the field */
    }
    *v = (unsigned char)acc;
    return V_OK;
}

/* A class index: any number that is an integer in [0, classes); "3.0" is
   accepted because pandas writes integer columns with a NaN in them so. */
static int parse_class(const csv *c, span f, int *v)
{
    double d = 0;
    int st = parse_real(c, f, &d);

    if (st != V_OK)
        return st;
    if (d != floor(d))
        return V_NOTINT;
    if (d < 0 || d >= c->classes)
        return V_RANGE;
    *v = (int)d;
    return V_OK;
}

/* The message for a bad value in column col; max bounds an integer column
   (255 for pixels, classes - 1 for a class). */
static void value_err(const csv *c, span f, int col, int st, int max)
{
    char name[40], got[40];
    const unsigned char *at = f.s;

    field_text(c->col[col], name, sizeof name);
    field_text(f, got, sizeof got);
    if (st == V_EMPTY)
        csv_err(c, at, "column '%s': missing value (empty field)", name);
    else if (st == V_NA)
        csv_err(c, at, "column '%s': missing value '%s'", name, got);
    else if (st == V_NOTNUM)
        csv_err(c, at, "column '%s': '%s' is not a number", name, got);
    else if (st == V_INF)
        csv_err(c, at, "column '%s': '%s' is not a finite number", name, got);
    else if (st == V_LONG)
        csv_err(c, at, "column '%s': a number of %ld characters is too long (at most %d)",
                name, (long)(f.e - f.s), CSV_MAX_NUMBER);
    else if (st == V_F32)
        csv_err(c, at, "column '%s': '%s' is out of the float32 range", name, got);
    else if (st == V_NOTINT)
        csv_err(c, at, "column '%s': '%s' is not an integer %s0..%d", name, got,
                c->role[col] >= 0 ? "class " : "", max);
    else
        csv_err(c, at, "column '%s': %s is out of range 0..%d", name, got, max);
}

/* ------------------------------------------------------------------ */
/* The caller's label list                                             */
/* ------------------------------------------------------------------ */

static int span_eq(span a, span b)
{
    return a.e - a.s == b.e - b.s && memcmp(a.s, b.s, (size_t)(a.e - a.s)) == 0;
}

/* Splits "y, z" into trimmed names; empty or repeated names are the
   caller's mistake, reported against the file since that is all we have. */
static int label_list(csv *c, const char *label)
{
    const unsigned char *s = (const unsigned char *)label, *end = s + strlen(label);
    int n = count_fields(s, end);

    c->lab = malloc((size_t)n * sizeof *c->lab);
    if (!c->lab) {
        rt_set_err(c->err, c->errlen, "%s: error: out of memory", c->path);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const unsigned char *comma = memchr(s, ',', (size_t)(end - s));
        span f = trim((span){s, comma ? comma : end});

        for (int j = 0; j < i && f.s < f.e; j++)
            if (span_eq(c->lab[j], f)) {
                rt_set_err(c->err, c->errlen, "%s: error: label columns '%s': '%.*s' is named "
                           "twice", c->path, label, (int)(f.e - f.s), (const char *)f.s);
                return -1;
            }
        if (f.s == f.e) {
            rt_set_err(c->err, c->errlen, "%s: error: label columns '%s': name %d is empty",
                       c->path, label, i + 1);
            return -1;
        }
        c->lab[i] = f;
        s = comma ? comma + 1 : end;
    }
    c->nlabnames = n;
    return 0;
}

/* ------------------------------------------------------------------ */
/* The header                                                          */
/* ------------------------------------------------------------------ */

/* One header field: trimmed, a surrounding pair of double quotes removed.
   A name can hold no comma (we do not parse quoted commas) and no control
   character (it is printed in messages and kept as a C string). */
static int header_name(csv *c, span raw, int i, span *name)
{
    span f = trim(raw);

    if (f.s < f.e && *f.s == '"') {
        if (f.e - f.s < 2 || f.e[-1] != '"') {
            csv_err(c, f.s, "header column %d: unterminated quote (quoted names may not "
                    "contain commas)", i + 1);
            return -1;
        }
        f.s++, f.e--;
    }
    for (const unsigned char *q = f.s; q < f.e; q++)
        if (*q == '"' || *q < 0x20 || *q == 0x7f) {
            csv_err(c, q, "header column %d: %s in the name", i + 1,
                    *q == '"' ? "a quote" : "a control character");
            return -1;
        }
    *name = f;
    return 0;
}

/* A first line made only of numbers is data: the header is missing. */
static int header_is_data(csv *c)
{
    char got[40];

    for (int i = 0; i < c->ncols; i++)
        if (!is_decimal(c->col[i]))
            return 0;
    csv_err(c, c->col[0].s, "the first line is data ('%s' is a number), not a header; the "
            "first line must name the columns", field_text(c->col[0], got, sizeof got));
    return 1;
}

typedef struct named {
    span name;
    int col;
} named;

static int by_name(const void *a, const void *b)
{
    const named *x = a, *y = b;
    size_t lx = (size_t)(x->name.e - x->name.s), ly = (size_t)(y->name.e - y->name.s);
    int r = memcmp(x->name.s, y->name.s, lx < ly ? lx : ly);

    return r ? r : lx != ly ? (lx < ly ? -1 : 1) : x->col - y->col;
}

/* Empty and duplicate names.  Sorting keeps this O(n log n) for files of
   many thousands of columns. */
static int header_unique(csv *c)
{
    named *s;
    char got[40];

    for (int i = 0; i < c->ncols; i++)
        if (c->col[i].s == c->col[i].e) {
            csv_err(c, c->col[i].s, "header column %d has an empty name%s", i + 1, i == 0
                    ? " (pandas writes its index so: save with index=False)" : "");
            return -1;
        }
    if (!(s = malloc((size_t)c->ncols * sizeof *s))) {
        rt_set_err(c->err, c->errlen, "%s: error: out of memory", c->path);
        return -1;
    }
    for (int i = 0; i < c->ncols; i++)
        s[i] = (named){c->col[i], i};
    qsort(s, (size_t)c->ncols, sizeof *s, by_name);
    for (int i = 1; i < c->ncols; i++)
        if (span_eq(s[i - 1].name, s[i].name)) {
            csv_err(c, c->col[s[i].col].s, "duplicate column name '%s' (columns %d and %d)",
                    field_text(s[i].name, got, sizeof got), s[i - 1].col + 1, s[i].col + 1);
            free(s);
            return -1;
        }
    free(s);
    return 0;
}

/* Marks the target columns.  None present: an unlabeled file (Kaggle's
   test.csv, predict input); some but not all: an error. */
static int header_roles(csv *c)
{
    int found = -1, missing = -1;
    char a[40], b[40];

    for (int i = 0; i < c->ncols; i++)
        c->role[i] = -1;
    for (int j = 0; j < c->nlabnames; j++) {
        int at = -1;

        for (int i = 0; i < c->ncols && at < 0; i++)
            at = span_eq(c->col[i], c->lab[j]) ? i : -1;
        if (at >= 0)
            c->role[at] = j, found = found < 0 ? j : found;
        else if (missing < 0)
            missing = j;
    }
    if (found >= 0 && missing >= 0) {
        csv_err(c, c->line, "the header has label column '%s' but not '%s'",
                field_text(c->lab[found], a, sizeof a), field_text(c->lab[missing], b, sizeof b));
        return -1;
    }
    c->nlab = found >= 0 ? c->nlabnames : 0;
    c->nfeat = c->ncols - c->nlab;
    return 0;
}

/* Features exactly pixel0..pixelK-1, in order: Kaggle digits (bytes). */
static int is_kaggle(const csv *c)
{
    char want[24];
    int k = 0;

    for (int i = 0; i < c->ncols; i++) {
        if (c->role[i] >= 0)
            continue;
        snprintf(want, sizeof want, "pixel%d", k++);
        if (!span_eq(c->col[i], (span){(const unsigned char *)want,
                                       (const unsigned char *)want + strlen(want)}))
            return 0;
    }
    return 1;
}

static int csv_header(csv *c)
{
    const unsigned char *s = c->line;

    c->ncols = count_fields(c->line, c->eol);
    c->col = malloc((size_t)c->ncols * sizeof *c->col);
    c->role = malloc((size_t)c->ncols * sizeof *c->role);
    if (!c->col || !c->role) {
        rt_set_err(c->err, c->errlen, "%s: error: out of memory", c->path);
        return -1;
    }
    for (int i = 0; i < c->ncols; i++) {
        span raw;

        if (csv_field(c, &s, i, &raw) || header_name(c, raw, i, &c->col[i]))
            return -1;
    }
    if (header_is_data(c) || header_unique(c) || header_roles(c))
        return -1;
    if (c->nfeat == 0) {
        csv_err(c, c->line, "the header names only label columns, no feature columns");
        return -1;
    }
    c->kaggle = is_kaggle(c);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */
/* ------------------------------------------------------------------ */

/* Column col's field f (feature number feat, if a feature) of row d->n. */
static int csv_value(csv *c, span f, int col, int feat, rt_dataset *d)
{
    size_t r = (size_t)d->n;
    int j = c->role[col], st;

    if (j < 0 && c->kaggle)
        st = parse_pixel(f, d->pix + r * (size_t)c->nfeat + (size_t)feat);
    else if (j < 0)
        st = parse_float(c, f, d->xf + r * (size_t)c->nfeat + (size_t)feat);
    else if (c->classes > 0)
        st = parse_class(c, f, d->y + r);
    else
        st = parse_float(c, f, d->yf + r * (size_t)c->nlab + (size_t)j);
    if (st == V_OK)
        return 0;
    value_err(c, f, col, st, j < 0 ? 255 : c->classes - 1);
    return -1;
}

/* One data row into row d->n of d. */
static int csv_row(csv *c, rt_dataset *d)
{
    const unsigned char *s = c->line;
    int feat = 0;

    for (int i = 0; i < c->ncols; i++) {
        span f;

        if (csv_field(c, &s, i, &f) || csv_value(c, trim(f), i, feat, d))
            return -1;
        feat += c->role[i] < 0;
    }
    return 0;
}

/* Parses all data rows after the header into d (buffers sized for maxrows
   rows).  Blank lines are allowed only at the very end. */
static int csv_rows(csv *c, size_t maxrows, rt_dataset *d)
{
    while (next_line(c)) {
        if (c->eol == c->line) {
            if (rest_is_blank(c->p, c->end))
                break;
            csv_err(c, c->line, "empty line before more data");
            return -1;
        }
        if ((size_t)d->n >= maxrows) { /* unreachable: maxrows is a proven bound */
            csv_err(c, c->line, "internal error: more rows than the file has lines");
            return -1;
        }
        if (csv_row(c, d))
            return -1;
        d->n++;
    }
    if (d->n == 0) {
        rt_set_err(c->err, c->errlen, "%s: error: header only, no data rows", c->path);
        return -1;
    }
    return 0;
}

/* Every row is one line, so the lines left bound the row count. */
static size_t count_lines(const unsigned char *p, const unsigned char *end)
{
    size_t n = 1;

    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL)
        p++, n++;
    return n;
}

static int csv_alloc(csv *c, size_t rows, rt_dataset *d)
{
    size_t vals = rows * (size_t)c->nfeat;

    if (c->kaggle)
        d->pix = malloc(vals);
    else
        d->xf = malloc(vals * sizeof *d->xf);
    if (c->nlab && c->classes > 0)
        d->y = malloc(rows * sizeof *d->y);
    else if (c->nlab)
        d->yf = malloc(rows * (size_t)c->nlab * sizeof *d->yf);
    if ((!d->pix && !d->xf) || (c->nlab && !d->y && !d->yf)) {
        rt_set_err(c->err, c->errlen, "%s: error: out of memory for %zu rows", c->path, rows);
        return -1;
    }
    d->y_dim = c->classes > 0 ? 0 : c->nlab;
    return 0;
}

/* The column names as one allocation: the pointer array, then the
   strings; features in file order, then the targets in the label order. */
static int csv_names(csv *c, rt_dataset *d)
{
    size_t bytes = (size_t)c->ncols * sizeof(char *);
    char *q, **names;
    int k = 0;

    for (int i = 0; i < c->ncols; i++)
        bytes += (size_t)(c->col[i].e - c->col[i].s) + 1;
    if (!(names = malloc(bytes))) {
        rt_set_err(c->err, c->errlen, "%s: error: out of memory", c->path);
        return -1;
    }
    q = (char *)(names + c->ncols);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < c->ncols; i++) {
            int j = c->role[i];
            span f = c->col[i];

            if ((pass == 0) != (j < 0))
                continue;
            names[pass ? c->nfeat + j : k++] = q;
            memcpy(q, f.s, (size_t)(f.e - f.s));
            q += f.e - f.s;
            *q++ = '\0';
        }
    d->names = names;
    d->n_names = c->ncols;
    return 0;
}

static int csv_parse(csv *c, rt_dataset *d)
{
    size_t rows;

    if (c->end - c->p >= 3 && memcmp(c->p, "\xEF\xBB\xBF", 3) == 0)
        c->p += 3; /* UTF-8 BOM, as written by some spreadsheet exports */
    if (rest_is_blank(c->p, c->end)) {
        rt_set_err(c->err, c->errlen, "%s: error: empty file (expected a header row naming "
                   "the columns, e.g. 'label,pixel0,pixel1,...')", c->path);
        return -1;
    }
    next_line(c);
    if (csv_header(c))
        return -1;
    rows = count_lines(c->p, c->end);
    if (csv_alloc(c, rows, d) || csv_rows(c, rows, d) || csv_names(c, d) ||
        rt_dataset_src(d, c->path, c->err, c->errlen))
        return -1;
    rt_dataset_dims(d, 1, &c->nfeat);
    return 0;
}

/* Gives back the slack of the line-count bound. */
static void shrink(void **p, size_t bytes)
{
    void *q = *p ? realloc(*p, bytes ? bytes : 1) : NULL;

    *p = q ? q : *p;
}

static void shrink_all(rt_dataset *d)
{
    size_t n = (size_t)d->n, v = n * (size_t)d->size;

    shrink((void **)&d->pix, v);
    shrink((void **)&d->xf, v * sizeof *d->xf);
    shrink((void **)&d->y, n * sizeof *d->y);
    shrink((void **)&d->yf, n * (size_t)d->y_dim * sizeof *d->yf);
}

int rt_load_csv(const char *path, const char *label, int classes, rt_dataset *out,
                char *err, size_t errlen)
{
    unsigned char *buf;
    size_t len;
    csv c = {0};
    rt_dataset d = {0};
    const char *dp = localeconv()->decimal_point;
    int rc;

    memset(out, 0, sizeof *out);
    c.path = path, c.classes = classes, c.err = err, c.errlen = errlen;
    c.dp = dp && dp[0] && !dp[1] ? dp[0] : '.';
    label = label && *label ? label : "label";
    if (classes < 0) {
        rt_set_err(err, errlen, "%s: error: classes must be >= 0, got %d", path, classes);
        return -1;
    }
    if (label_list(&c, label)) {
        free(c.lab);
        return -1;
    }
    if (classes > 0 && c.nlabnames != 1) {
        rt_set_err(err, errlen, "%s: error: classes %d needs exactly one label column, got %d "
                   "('%s'); several target columns need classes 0", path, classes,
                   c.nlabnames, label);
        free(c.lab);
        return -1;
    }
    if (rt_read_all(path, &buf, &len, err, errlen)) {
        free(c.lab);
        return -1;
    }
    c.p = buf, c.end = buf + len;
    rc = csv_parse(&c, &d);
    free(buf), free(c.lab), free(c.col), free(c.role);
    if (rc) {
        rt_dataset_free(&d);
        return -1;
    }
    shrink_all(&d);
    *out = d;
    return 0;
}
