// Elementary functions with a fixed evaluation order, so that every machine computes the same bits.
//
// glibc picks FMA or non-FMA variants of exp/log/sin/... at load time, other libms use other
// polynomials: a lesson that trains for hundreds of steps amplifies such one-ulp differences into
// different printed numbers. Here every function is a fixed sequence of IEEE-754 double operations
// (+ - * / sqrt and exact conversions; -ffp-contract=off forbids fused multiply-adds), with constants
// from tools/gen_portable_math_tables.py. Accuracy is about 1 ulp (measured against 200-digit values
// in Tests/ArcFaceKitTests/PortableMathTests.swift); extra precision comes from double-double steps.

#include <stdint.h>
#include <string.h>
#include "cportablemath.h"
#include "tables.h"

// MARK: - bits and double-double helpers

static inline uint64_t bits_of(double x) { uint64_t u; memcpy(&u, &x, sizeof u); return u; }
static inline double from_bits(uint64_t u) { double x; memcpy(&x, &u, sizeof x); return x; }
static inline double fabs_(double x) { return from_bits(bits_of(x) & 0x7fffffffffffffffULL); }
static inline int sign_bit(double x) { return (int)(bits_of(x) >> 63); }
static inline int is_nan(double x) { return x != x; }
#define INFINITY_ (from_bits(0x7ff0000000000000ULL))
#define NAN_ (from_bits(0x7ff8000000000000ULL))
static inline int is_inf(double x) { return fabs_(x) == INFINITY_; }
/// 2^k for -1022 <= k <= 1023, built from its bits.
static inline double pow2i(int k) { return from_bits((uint64_t)(k + 1023) << 52); }
/// Round to nearest (ties to even) for |v| < 2^51: adding and removing 1.5 * 2^52 rounds in the FPU.
static inline double round_nearest(double v) { return (v + 0x1.8p52) - 0x1.8p52; }

typedef struct { double hi, lo; } dd;

/// a + b = s + e exactly (Knuth).
static inline dd two_sum(double a, double b) {
    double s = a + b, bb = s - a;
    return (dd){s, (a - (s - bb)) + (b - bb)};
}
/// a + b = s + e exactly when |a| >= |b| (Dekker).
static inline dd fast_two_sum(double a, double b) {
    double s = a + b;
    return (dd){s, b - (s - a)};
}
/// a * b = p + e exactly (Dekker, with Veltkamp's split: no FMA). Needs |a|, |b| < 2^995.
static inline dd two_prod(double a, double b) {
    double p = a * b;
    double ta = 134217729.0 * a, ah = ta - (ta - a), al = a - ah;
    double tb = 134217729.0 * b, bh = tb - (tb - b), bl = b - bh;
    return (dd){p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
}
/// c[0] + x (c[1] + x (c[2] + ...)), Horner from the highest coefficient.
static inline double horner(const double *c, int n, double x) {
    double r = c[n - 1];
    for (int i = n - 2; i >= 0; i--) r = c[i] + x * r;
    return r;
}
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

// MARK: - exp, expm1

/// exp(r) - 1 for |r| <= ln2/2 + a little, r = rh + rl, as rh + the returned correction (Taylor to
/// degree 18): keeping rh apart lets callers add it to 1 or 2^k - 1 without rounding it first.
static inline double expm1_correction(double rh, double rl) {
    double t = rh * rh;
    double q = horner(EXP_TAYLOR, COUNT(EXP_TAYLOR), rh);   // 1/2 + r/6 + r^2/24 + ...
    return t * q + rl * (1.0 + rh);                          // rl * exp'(rh), to first order
}

/// x = k ln2 + r (k returned, r = rh + rl), for |x| < 746.
static inline int reduce_ln2(double x, double xl, double *rh, double *rl) {
    double kd = round_nearest(x * INV_LN2);
    double hi = x - kd * LN2_CW_HI;                          // exact: k * LN2_CW_HI has at most 53 bits
    dd r = two_sum(hi, xl - kd * LN2_CW_LO);
    *rh = r.hi; *rl = r.lo;
    return (int)kd;
}

/// 2^k (h + l) with one rounding at the end, for -1075 <= k <= 1024.
static inline double scale(double h, double l, int k) {
    if (k >= -1021 && k <= 1023) return (h + l) * pow2i(k);
    if (k > 1023) return ((h + l) * 2.0) * pow2i(k - 1);      // may overflow to inf, as it should
    return ((h + l) * pow2i(k + 1000)) * 0x1p-1000;          // subnormal: rounded in the last step
}

/// exp(x + xl) for -745.5 < x < 709.8: 2^k (1 + rh + correction) summed as a double-double.
static double exp_dd(double x, double xl) {
    double rh, rl;
    int k = reduce_ln2(x, xl, &rh, &rl);
    dd y = two_sum(1.0, rh);
    double lo = y.lo + expm1_correction(rh, rl);
    if (k >= -1021) return scale(y.hi, lo, k);
    dd n = fast_two_sum(y.hi, lo);                           // subnormal: round only once, when scaling
    return (n.hi * pow2i(k + 1000)) * 0x1p-1000;
}

/// exp(x) as hi + lo for |x| < 700 (no scaling beyond the normal range).
static dd exp_pair(double x) {
    double rh, rl;
    int k = reduce_ln2(x, 0.0, &rh, &rl);
    dd y = two_sum(1.0, rh);
    y = fast_two_sum(y.hi, y.lo + expm1_correction(rh, rl));
    double s = pow2i(k);
    return (dd){y.hi * s, y.lo * s};
}

double pm_exp(double x) {
    if (is_nan(x)) return x;
    if (x > 709.782712893383973096) return INFINITY_;
    if (x < -745.1332191019412) return 0.0;
    if (fabs_(x) < 0x1p-54) return 1.0 + x;
    return exp_dd(x, 0.0);
}

/// expm1(x) as a double-double, for -40 <= x <= 56 ln2 (beyond, callers use exp or -1).
static dd expm1_dd(double x) {
    if (fabs_(x) <= 0.34657359027997264) return fast_two_sum(x, expm1_correction(x, 0.0));
    double rh, rl;
    int k = reduce_ln2(x, 0.0, &rh, &rl);
    double two_k = pow2i(k);
    dd a = two_sum(two_k - 1.0, two_k * rh);                 // 2^k - 1 is exact for |k| <= 58
    return fast_two_sum(a.hi, a.lo + two_k * expm1_correction(rh, rl));
}

double pm_expm1(double x) {
    if (is_nan(x)) return x;
    if (x > 709.782712893383973096) return INFINITY_;
    if (x < -40.0) return -1.0;                              // exp(-40) < 2^-57: -1 + tiny rounds to -1
    if (fabs_(x) < 0x1p-54) return x;
    if (x > 38.0) return exp_dd(x, 0.0);                     // -1 is below half an ulp of exp(x)
    return expm1_dd(x).hi;
}

// MARK: - log, log1p, log2, log10

/// log(1 + u) for |u| <= 1/64 as a double-double, u = uh + ul: u - u^2/2 + u^3 (1/3 - u/4 + ...).
static dd log1p_small(double uh, double ul) {
    dd sq = two_prod(uh, uh);
    double sqlo = sq.lo + 2.0 * uh * ul;
    double tail = (uh * sq.hi) * horner(LOG1P_TAYLOR, COUNT(LOG1P_TAYLOR), uh);
    dd a = two_sum(uh, -0.5 * sq.hi);
    a.lo += (ul - 0.5 * sqlo) + tail;
    return fast_two_sum(a.hi, a.lo);
}

/// log(x) for finite x > 0 as a double-double (relative error about 2^-100): x = 2^k m, m in [1, 2),
/// m = c (1 + u) with c the centre of m's 1/128-wide cell, log x = k ln2 + log c + log(1 + u).
static dd log_dd(double x) {
    double u0 = x - 1.0;
    if (fabs_(u0) < 0x1p-6) return log1p_small(u0, 0.0);      // near 1: no cancellation (u0 is exact)
    int k = 0;
    uint64_t u = bits_of(x);
    if (u < 0x0010000000000000ULL) { x *= 0x1p54; k = -54; u = bits_of(x); }   // subnormal
    k += (int)(u >> 52) - 1023;
    uint64_t mant = u & 0x000fffffffffffffULL;
    double m = from_bits(mant | 0x3ff0000000000000ULL);
    int i = (int)(mant >> 45);
    double c = 1.0 + (double)(2 * i + 1) * 0x1p-8;
    double delta = m - c;                                    // exact (Sterbenz)
    double uh = delta / c;
    dd p = two_prod(uh, c);
    double ul = ((delta - p.hi) - p.lo) / c;
    dd l1 = log1p_small(uh, ul);
    double kd = (double)k;
    dd kl = two_prod(kd, LN2_HI);
    kl.lo += kd * LN2_LO;
    dd s = two_sum(kl.hi, LOG_TABLE_HI[i]);
    s.lo += kl.lo + LOG_TABLE_LO[i];
    s = fast_two_sum(s.hi, s.lo);
    dd r = two_sum(s.hi, l1.hi);
    r.lo += s.lo + l1.lo;
    return fast_two_sum(r.hi, r.lo);
}

/// NaN, -inf, inf or 0 for the arguments log(x) does not compute; 1 if x is ordinary.
static inline int log_special(double x, double *out) {
    if (is_nan(x)) { *out = x; return 1; }
    if (x < 0) { *out = NAN_; return 1; }
    if (x == 0) { *out = -INFINITY_; return 1; }
    if (is_inf(x)) { *out = x; return 1; }
    return 0;
}

static inline dd dd_mul(dd a, double bh, double bl) {
    dd p = two_prod(a.hi, bh);
    p.lo += a.hi * bl + a.lo * bh;
    return fast_two_sum(p.hi, p.lo);
}

double pm_log(double x) {
    double s;
    if (log_special(x, &s)) return s;
    return log_dd(x).hi;
}

double pm_log2(double x) {
    double s;
    if (log_special(x, &s)) return s;
    return dd_mul(log_dd(x), INV_LN2_HI, INV_LN2_LO).hi;
}

double pm_log10(double x) {
    double s;
    if (log_special(x, &s)) return s;
    return dd_mul(log_dd(x), INV_LN10_HI, INV_LN10_LO).hi;
}

double pm_log1p(double x) {
    if (is_nan(x)) return x;
    if (x < -1.0) return NAN_;
    if (x == -1.0) return -INFINITY_;
    if (is_inf(x)) return x;
    if (fabs_(x) < 0x1p-54) return x;
    if (fabs_(x) < 0x1p-6) return log1p_small(x, 0.0).hi;
    dd w = two_sum(1.0, x);                                  // 1 + x = w.hi + w.lo exactly
    dd l = log_dd(w.hi);
    return l.hi + (l.lo + w.lo / w.hi);                      // log(w.hi + w.lo) = log w.hi + w.lo / w.hi + ...
}

// MARK: - pow

/// 0: y is not an integer; 1: an odd integer; 2: an even integer.
static int integer_kind(double y) {
    double ay = fabs_(y);
    if (ay >= 0x1p53) return 2;
    double t = round_nearest(ay);
    if (t != ay) return 0;
    return ((uint64_t)t & 1) ? 1 : 2;
}

/// x^n for a small integer n > 0 when every partial product is exact (all Dekker errors zero, no
/// overflow or underflow): then the result is exact. Returns 0 if it is not.
static int exact_integer_power(double x, int n, double *out) {
    double result = 1.0, base = x;
    for (;;) {
        if (n & 1) {
            dd p = two_prod(result, base);
            if (p.lo != 0.0 || fabs_(p.hi) > 0x1p500 || (p.hi != 0.0 && fabs_(p.hi) < 0x1p-500)) return 0;
            result = p.hi;
        }
        n >>= 1;
        if (!n) break;
        dd q = two_prod(base, base);
        if (q.lo != 0.0 || fabs_(q.hi) > 0x1p500 || (q.hi != 0.0 && fabs_(q.hi) < 0x1p-500)) return 0;
        base = q.hi;
    }
    *out = result;
    return 1;
}

double pm_pow(double x, double y) {
    // The special cases of C99 Annex F, in its order.
    if (y == 0.0) return 1.0;
    if (x == 1.0) return 1.0;
    if (is_nan(x) || is_nan(y)) return x + y;
    int yk = integer_kind(y);
    if (x == 0.0) {
        if (y < 0) return (yk == 1 && sign_bit(x)) ? -INFINITY_ : INFINITY_;
        return (yk == 1) ? x : 0.0;
    }
    if (is_inf(y)) {
        double ax = fabs_(x);
        if (ax == 1.0) return 1.0;
        return ((ax < 1.0) == (y < 0)) ? INFINITY_ : 0.0;
    }
    if (is_inf(x)) {
        int negative = sign_bit(x) && yk == 1;
        double r = y < 0 ? 0.0 : INFINITY_;
        return negative ? -r : r;
    }
    int negate = 0;
    if (x < 0) {
        if (yk == 0) return NAN_;
        negate = (yk == 1);
        x = -x;
    }
    double r;
    if (y == 1.0) r = x;
    else if (y == 2.0) r = x * x;
    else if (y == -1.0) r = 1.0 / x;
    else if (y == 0.5) r = __builtin_sqrt(x);
    else if (yk != 0 && fabs_(y) <= 64.0 && exact_integer_power(x, (int)fabs_(y), &r)) {
        if (y < 0) r = 1.0 / r;
    } else {
        dd l = log_dd(x);
        double z = y * l.hi;
        if (z > 709.8) r = INFINITY_;
        else if (z < -745.5) r = 0.0;
        else {
            dd zp = two_prod(y, l.hi);
            zp.lo += y * l.lo;
            dd zz = fast_two_sum(zp.hi, zp.lo);
            r = exp_dd(zz.hi, zz.lo);
        }
    }
    return negate ? -r : r;
}

// MARK: - sin, cos, tan

/// Bits j .. j+63 of 2/pi after the binary point (j >= 1).
static inline uint64_t two_over_pi_bits(int j) {
    int pos = j - 1, w = pos / 64, off = pos % 64;
    uint64_t v = TWO_OVER_PI_BITS[w] << off;
    if (off) v |= TWO_OVER_PI_BITS[w + 1] >> (64 - off);
    return v;
}

/// Bits pos .. pos+63 of the 256-bit number r[3] r[2] r[1] r[0] (pos may be negative: zeros below).
static inline uint64_t bits256(const uint64_t r[4], int pos) {
    int w = pos >= 0 ? pos / 64 : -1 - ((-pos - 1) / 64);
    int off = pos - 64 * w;
    uint64_t lo = (w >= 0 && w < 4) ? r[w] : 0;
    uint64_t hi = (w + 1 >= 0 && w + 1 < 4) ? r[w + 1] : 0;
    return off ? (lo >> off) | (hi << (64 - off)) : lo;
}

/// x = n pi/2 + y with |y| <= pi/4 (y = yh + yl), for any finite x: Payne-Hanek reduction with 192
/// bits of 2/pi, in integers, so huge arguments reduce exactly as small ones. Returns n mod 4.
static int reduce_pio2(double x, double *yh, double *yl) {
    uint64_t u = bits_of(x);
    int negative = (int)(u >> 63);
    int be = (int)((u >> 52) & 0x7ff);
    uint64_t mant = be ? ((u & 0x000fffffffffffffULL) | (1ULL << 52)) : (u & 0x000fffffffffffffULL);
    int e = (be ? be : 1) - 1075;                            // |x| = mant * 2^e
    // x * 2/pi = mant * sum_j b_j 2^(e - j): bits with e - j >= 2 add multiples of 4 (whole turns).
    int j0 = e - 1 < 1 ? 1 : e - 1;
    uint64_t w0 = two_over_pi_bits(j0), w1 = two_over_pi_bits(j0 + 64), w2 = two_over_pi_bits(j0 + 128);
    unsigned __int128 t = (unsigned __int128)mant * w2;
    uint64_t r[4];
    r[0] = (uint64_t)t;
    t = (unsigned __int128)mant * w1 + (uint64_t)(t >> 64);
    r[1] = (uint64_t)t;
    t = (unsigned __int128)mant * w0 + (uint64_t)(t >> 64);
    r[2] = (uint64_t)t;
    r[3] = (uint64_t)(t >> 64);
    int sh = j0 + 191 - e;                                   // the binary point of the product
    int n = (int)(bits256(r, sh) & 3);
    uint64_t fh = bits256(r, sh - 64), fl = bits256(r, sh - 128);
    unsigned __int128 f = ((unsigned __int128)fh << 64) | fl; // fraction in [0, 1), 128 bits
    int flip = 0;
    if (fh >> 63) { f = -f; n += 1; flip = 1; }              // fraction >= 1/2: y = (fraction - 1) pi/2
    double h = 0.0, l = 0.0;
    if (f) {
        uint64_t top = (uint64_t)(f >> 64);
        int lz = top ? __builtin_clzll(top) : 64 + __builtin_clzll((uint64_t)f);
        unsigned __int128 nf = f << lz;
        uint64_t t53 = (uint64_t)(nf >> 75);
        uint64_t r53 = (uint64_t)(nf >> 22) & ((1ULL << 53) - 1);
        h = (double)t53 * pow2i(-53 - lz);
        l = (double)r53 * pow2i(-106 - lz);
    }
    dd p = two_prod(h, PIO2_HI);
    p.lo += h * PIO2_LO + l * PIO2_HI;
    dd y = fast_two_sum(p.hi, p.lo);
    if (flip) { y.hi = -y.hi; y.lo = -y.lo; }
    if (negative) { y.hi = -y.hi; y.lo = -y.lo; n = -n; }
    *yh = y.hi;
    *yl = y.lo;
    return n & 3;
}

/// sin(yh + yl) for |yh| <= pi/4 as yh + correction: -yh^3/6 + ... and yl cos(yh) to first order.
static inline dd sin_kernel(double yh, double yl) {
    double z = yh * yh;
    double p = horner(SIN_TAYLOR, COUNT(SIN_TAYLOR), z);     // -1/6 + z/120 - ...
    return (dd){yh, (z * yh) * p + yl * (1.0 - 0.5 * z)};
}

/// cos(yh + yl) for |yh| <= pi/4 as w + correction: w = 1 - z/2 with its rounding error kept,
/// + z^2 (1/24 - ...) - yh yl.
static inline dd cos_kernel(double yh, double yl) {
    dd z = two_prod(yh, yh);
    double hz = 0.5 * z.hi;
    double w = 1.0 - hz;
    double c = horner(COS_TAYLOR, COUNT(COS_TAYLOR), z.hi);  // 1/24 - z/720 + ...
    return (dd){w, ((1.0 - w) - hz) + ((z.hi * z.hi) * c - 0.5 * z.lo - yh * yl)};
}

static inline double sum(dd a) { return a.hi + a.lo; }

/// Quadrant and reduced argument of x: no reduction needed below pi/4.
static inline int quadrant(double x, double *yh, double *yl) {
    if (fabs_(x) <= 0.78539816339744828) { *yh = x; *yl = 0.0; return 0; }
    return reduce_pio2(x, yh, yl);
}

double pm_sin(double x) {
    if (is_nan(x) || is_inf(x)) return x - x;
    if (fabs_(x) < 0x1p-27) return x;
    double yh, yl;
    switch (quadrant(x, &yh, &yl)) {
    case 0: return sum(sin_kernel(yh, yl));
    case 1: return sum(cos_kernel(yh, yl));
    case 2: return -sum(sin_kernel(yh, yl));
    default: return -sum(cos_kernel(yh, yl));
    }
}

double pm_cos(double x) {
    if (is_nan(x) || is_inf(x)) return x - x;
    if (fabs_(x) < 0x1p-28) return 1.0;
    double yh, yl;
    switch (quadrant(x, &yh, &yl)) {
    case 0: return sum(cos_kernel(yh, yl));
    case 1: return -sum(sin_kernel(yh, yl));
    case 2: return -sum(cos_kernel(yh, yl));
    default: return sum(sin_kernel(yh, yl));
    }
}

/// (a.hi + a.lo) / (b.hi + b.lo) with the quotient's rounding error corrected once.
static inline double dd_div(dd a, dd b) {
    double q = a.hi / b.hi;
    dd p = two_prod(q, b.hi);
    return q + ((((a.hi - p.hi) - p.lo) + a.lo) - q * b.lo) / b.hi;
}

double pm_tan(double x) {
    if (is_nan(x) || is_inf(x)) return x - x;
    if (fabs_(x) < 0x1p-27) return x;
    double yh, yl;
    int n = quadrant(x, &yh, &yl);
    dd s = sin_kernel(yh, yl), c = cos_kernel(yh, yl);
    s = fast_two_sum(s.hi, s.lo);
    c = fast_two_sum(c.hi, c.lo);
    if (n & 1) { c.hi = -c.hi; c.lo = -c.lo; return dd_div(c, s); }   // tan(y + pi/2) = -cos y / sin y
    return dd_div(s, c);
}

// MARK: - asin, acos, atan, atan2

/// asin(x) - x for |x| <= 1/2, i.e. x^3 (1/6 + 3/40 x^2 + ...), with z = x^2.
static inline double asin_tail(double x, double z) { return (x * z) * horner(ASIN_TAYLOR, COUNT(ASIN_TAYLOR), z); }

/// For 1/2 < |x| <= 1: s = sqrt((1 - |x|)/2) as s + sl, and asin(s) - s; asin |x| = pi/2 - 2 asin(s).
static inline void asin_half_angle(double ax, double *s, double *sl, double *tail) {
    double z = (1.0 - ax) * 0.5;                             // exact
    double r = __builtin_sqrt(z);
    double rl = 0.0;
    if (r > 0) { dd sq = two_prod(r, r); rl = ((z - sq.hi) - sq.lo) / (2.0 * r); }
    *s = r; *sl = rl; *tail = asin_tail(r, z);
}

double pm_asin(double x) {
    if (is_nan(x)) return x;
    double ax = fabs_(x);
    if (ax > 1.0) return NAN_;
    if (ax < 0x1p-27) return x;
    if (ax <= 0.5) return x + asin_tail(x, x * x);
    double s, sl, w;
    asin_half_angle(ax, &s, &sl, &w);
    dd h = two_sum(PIO2_HI, -2.0 * s);
    double r = h.hi + (h.lo + (PIO2_LO - 2.0 * (sl + w)));
    return sign_bit(x) ? -r : r;
}

double pm_acos(double x) {
    if (is_nan(x)) return x;
    double ax = fabs_(x);
    if (ax > 1.0) return NAN_;
    if (ax <= 0.5) {
        if (ax < 0x1p-57) return PIO2_HI;
        return PIO2_HI - (x - (PIO2_LO - asin_tail(x, x * x)));   // pi/2 - asin x
    }
    double s, sl, w;
    asin_half_angle(ax, &s, &sl, &w);
    if (x > 0) return 2.0 * (s + (sl + w));                       // 2 asin(sqrt((1 - x)/2))
    dd h = two_sum(PI_HI, -2.0 * s);                              // pi - 2 asin(sqrt((1 + x)/2))
    return h.hi + (h.lo + (PI_LO - 2.0 * (sl + w)));
}

/// atan(t) - t = t^3 (-1/3 + t^2/5 - ...) for |t| <= 0.4375.
static inline double atan_tail(double t) {
    double z = t * t;
    return (t * z) * horner(ATAN_TAYLOR, COUNT(ATAN_TAYLOR), z);
}

/// atan(ax + dx) for finite ax >= 0 and a tiny dx, as hi + rest (summed by the caller, so that
/// atan2 can add its quotient's rounding error before the one rounding).
static dd atan_parts(double ax, double dx) {
    double corr = dx / (1.0 + ax * ax);                      // atan'(ax) dx
    if (ax >= 0x1p66) return (dd){PIO2_HI, PIO2_LO};
    if (ax < 0x1p-27) return (dd){ax, corr};
    if (ax < 0.4375) return (dd){ax, atan_tail(ax) + corr};
    // atan ax = atan c + atan t with t = (ax - c) / (1 + c ax), c in {1/2, 1, 3/2, inf}.
    double t, hi, lo;
    if (ax < 0.6875) { t = (2.0 * ax - 1.0) / (2.0 + ax); hi = ATAN_HALF_HI; lo = ATAN_HALF_LO; }
    else if (ax < 1.1875) { t = (ax - 1.0) / (ax + 1.0); hi = ATAN_ONE_HI; lo = ATAN_ONE_LO; }
    else if (ax < 2.4375) { t = (ax - 1.5) / (1.0 + 1.5 * ax); hi = ATAN_THREE_HALVES_HI; lo = ATAN_THREE_HALVES_LO; }
    else { t = -1.0 / ax; hi = PIO2_HI; lo = PIO2_LO; }
    return (dd){hi, ((lo + corr) + atan_tail(t)) + t};
}

double pm_atan(double x) {
    if (is_nan(x)) return x;
    dd a = atan_parts(fabs_(x), 0.0);
    double r = a.hi + a.lo;
    return sign_bit(x) ? -r : r;
}

double pm_atan2(double y, double x) {
    if (is_nan(x) || is_nan(y)) return x + y;
    double pi = PI_HI, pio2 = PIO2_HI;
    if (y == 0.0) {
        if (sign_bit(x)) return sign_bit(y) ? -pi : pi;      // atan2(+-0, -0 or x < 0) = +-pi
        return y;                                            // atan2(+-0, +0 or x > 0) = +-0
    }
    double r;
    if (x == 0.0) r = pio2;
    else if (is_inf(x)) {
        if (is_inf(y)) r = sign_bit(x) ? PI3O4_HI : PIO4_HI;
        else r = sign_bit(x) ? pi : 0.0;
    } else if (is_inf(y)) r = pio2;
    else {
        double ax = fabs_(x), ay = fabs_(y);
        int ey = (int)((bits_of(ay) >> 52) & 0x7ff), ex = (int)((bits_of(ax) >> 52) & 0x7ff);
        dd a;
        if (ey - ex > 60) a = (dd){PIO2_HI, PIO2_LO};        // |y/x| > 2^59: atan is pi/2 to the last bit
        else if (ex - ey > 60) a = (dd){sign_bit(x) ? 0.0 : ay / ax, 0.0};   // tiny: atan t = t (may underflow)
        else {
            // q = ay/ax and its rounding error (ay - q ax)/ax, exact products while nothing is extreme.
            double q = ay / ax, dq = 0.0;
            if (ey > 60 && ey < 1960 && ex > 60 && ex < 1960) {
                dd p = two_prod(q, ax);
                dq = ((ay - p.hi) - p.lo) / ax;
            }
            a = atan_parts(q, dq);
        }
        if (sign_bit(x)) {                                   // pi - atan |y/x|
            dd h = two_sum(PI_HI, -a.hi);
            r = h.hi + (h.lo + (PI_LO - a.lo));
        } else {
            r = a.hi + a.lo;
        }
    }
    return sign_bit(y) ? -r : r;
}

// MARK: - sinh, cosh, tanh

double pm_sinh(double x) {
    if (is_nan(x) || is_inf(x)) return x;
    double ax = fabs_(x), h = sign_bit(x) ? -0.5 : 0.5;
    if (ax < 22.0) {
        if (ax < 0x1p-28) return x;
        if (ax < 1.0) {                                      // x + x^3/6 + ...: SIN_TAYLOR at -z
            double z = x * x;
            return x - (z * x) * horner(SIN_TAYLOR, COUNT(SIN_TAYLOR), -z);
        }
        dd t = expm1_dd(ax);                                 // (t + t/(t+1))/2 with t = expm1|x|
        dd d = two_sum(t.hi, 1.0);
        d = fast_two_sum(d.hi, d.lo + t.lo);
        double u = dd_div(t, d);
        return h * (t.hi + (t.lo + u));
    }
    if (ax < 709.782712893383973096) return h * pm_exp(ax);
    if (ax <= 710.4758600739439) { double w = pm_exp(0.5 * ax); return (h * w) * w; }
    return sign_bit(x) ? -INFINITY_ : INFINITY_;
}

double pm_cosh(double x) {
    if (is_nan(x)) return x;
    double ax = fabs_(x);
    if (is_inf(x)) return ax;
    if (ax < 0.34657359027997264) {
        if (ax < 0x1p-55) return 1.0;
        double t = pm_expm1(ax), w = 1.0 + t;
        return 1.0 + (t * t) / (w + w);
    }
    if (ax < 22.0) {                                         // (e + 1/e)/2, e as a double-double
        dd e = exp_pair(ax);
        double inv = dd_div((dd){1.0, 0.0}, e);
        return 0.5 * (e.hi + (e.lo + inv));
    }
    if (ax < 709.782712893383973096) return 0.5 * pm_exp(ax);
    if (ax <= 710.4758600739439) { double w = pm_exp(0.5 * ax); return (0.5 * w) * w; }
    return INFINITY_;
}

double pm_tanh(double x) {
    if (is_nan(x)) return x;
    double ax = fabs_(x);
    if (ax > 22.0) return sign_bit(x) ? -1.0 : 1.0;
    if (ax < 0x1p-28) return x;
    dd t = expm1_dd(2.0 * ax);                               // tanh = t / (t + 2), t = expm1(2|x|)
    dd d = two_sum(t.hi, 2.0);
    d = fast_two_sum(d.hi, d.lo + t.lo);
    double r = dd_div(t, d);
    return sign_bit(x) ? -r : r;
}
