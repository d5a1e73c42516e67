// The kernels' bodies, included by kernels.c once per instruction set with ATTR (the target
// attribute) and NAME(x) (a suffixed name) defined.


static inline ATTR __attribute__((always_inline)) vf NAME(vload)(const float *p) { vf v; memcpy(&v, p, sizeof v); return v; }
static inline ATTR __attribute__((always_inline)) void NAME(vstore)(float *p, vf v) { memcpy(p, &v, sizeof v); }
static inline ATTR __attribute__((always_inline)) vf NAME(vsplat)(float x) { return (vf)x; }
static inline ATTR __attribute__((always_inline)) vf NAME(vsel)(vi mask, vf a, vf b) {  // mask ? a : b, lane by lane
    return (vf)(((vi)a & mask) | ((vi)b & ~mask));
}
static inline ATTR __attribute__((always_inline)) vf NAME(vmin)(vf a, vf b) { return NAME(vsel)(b < a, b, a); }
static inline ATTR __attribute__((always_inline)) vf NAME(vmax)(vf a, vf b) { return NAME(vsel)(b > a, b, a); }
static inline ATTR __attribute__((always_inline)) float NAME(hsum)(vf v) {
    float s = 0;
    for (int i = 0; i < LANES; i++) s += v[i];
    return s;
}
static inline ATTR __attribute__((always_inline)) float NAME(hmax)(vf v) {
    float m = v[0];
    for (int i = 1; i < LANES; i++) m = v[i] > m ? v[i] : m;
    return m;
}

// exp (Cephes expf polynomial, about 1 ulp): x is clamped to [-87, 88] and inputs below -87 give 0.
static inline ATTR __attribute__((always_inline)) vf NAME(vexp)(vf x0) {
    vf x = NAME(vmin)(NAME(vmax)(x0, NAME(vsplat)(-87.0f)), NAME(vsplat)(88.0f));
    const vf magic = NAME(vsplat)(12582912.0f);  // 1.5 * 2^23: adding it rounds to an integer
    vf t = x * 1.44269504088896341f + magic;
    vf n = t - magic;
    vf r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    vf p = NAME(vsplat)(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    vi ni = (vi)t - 0x4B400000;
    vf scale = (vf)((ni + 127) << 23);
    return NAME(vsel)(x0 < NAME(vsplat)(-87.0f), NAME(vsplat)(0.0f), p * scale);
}

static inline ATTR __attribute__((always_inline)) float NAME(sexp)(float x) {
    float in[LANES] = {x}, out[LANES];
    NAME(vstore)(out, NAME(vexp)(NAME(vload)(in)));
    return out[0];
}

static ATTR float NAME(afk_scale_max)(float *row, const float *inv, ptrdiff_t n) {
    vf m = NAME(vsplat)(-INFINITY);
    float sm = -INFINITY;
    ptrdiff_t c = 0;
    for (; c + LANES <= n; c += LANES) {
        vf x = NAME(vload)(row + c) * NAME(vload)(inv + c);
        NAME(vstore)(row + c, x);
        m = NAME(vmax)(m, x);
    }
    for (; c < n; c++) {
        float x = row[c] * inv[c];
        row[c] = x;
        sm = x > sm ? x : sm;
    }
    float hm = NAME(hmax)(m);
    return hm > sm ? hm : sm;
}

static ATTR float NAME(afk_exp_shift_sum)(const float *in, float *ex, ptrdiff_t n, float s, float shift, int clamp) {
    vf acc = NAME(vsplat)(0);
    const vf vs = NAME(vsplat)(s), vz = NAME(vsplat)(shift), lo = NAME(vsplat)(-1), hi = NAME(vsplat)(1);
    ptrdiff_t c = 0;
    for (; c + LANES <= n; c += LANES) {
        vf x = NAME(vload)(in + c);
        if (clamp) x = NAME(vmin)(NAME(vmax)(x, lo), hi);
        vf e = NAME(vexp)(x * vs - vz);
        NAME(vstore)(ex + c, e);
        acc += e;
    }
    float sacc = 0;
    for (; c < n; c++) {
        float x = in[c];
        if (clamp) x = x < -1 ? -1 : (x > 1 ? 1 : x);
        float e = NAME(sexp)(s * x - shift);
        ex[c] = e;
        sacc += e;
    }
    return NAME(hsum)(acc) + sacc;
}

static ATTR float NAME(afk_scale_exp_sum)(float *row, const float *inv, float *ex, ptrdiff_t n, float s, float shift,
                                         float *largest) {
    vf acc = NAME(vsplat)(0), big = NAME(vsplat)(0);
    const vf vs = NAME(vsplat)(s), vz = NAME(vsplat)(shift), lo = NAME(vsplat)(-1), hi = NAME(vsplat)(1);
    ptrdiff_t c = 0;
    for (; c + LANES <= n; c += LANES) {
        vf x = NAME(vload)(row + c) * NAME(vload)(inv + c);
        NAME(vstore)(row + c, x);
        vf e = NAME(vexp)(NAME(vmin)(NAME(vmax)(x, lo), hi) * vs - vz);
        NAME(vstore)(ex + c, e);
        acc += e;
        big = NAME(vmax)(big, e);
    }
    float sacc = 0, sbig = NAME(hmax)(big);
    for (; c < n; c++) {
        float x = row[c] * inv[c];
        row[c] = x;
        float xc = x < -1 ? -1 : (x > 1 ? 1 : x);
        float e = NAME(sexp)(s * xc - shift);
        ex[c] = e;
        sacc += e;
        sbig = e > sbig ? e : sbig;
    }
    if (sbig > *largest) *largest = sbig;
    return NAME(hsum)(acc) + sacc;
}

static ATTR void NAME(afk_arcface_gradients)(float *row, const float *ex, const float *inv, float *colDot, ptrdiff_t n, float scale) {
    const vf vscale = NAME(vsplat)(scale), lo = NAME(vsplat)(-1), hi = NAME(vsplat)(1), zero = NAME(vsplat)(0);
    ptrdiff_t c = 0;
    for (; c + LANES <= n; c += LANES) {
        vf x = NAME(vload)(row + c);
        vf g = NAME(vsel)((x > lo) & (x < hi), NAME(vload)(ex + c) * vscale * NAME(vload)(inv + c), zero);
        NAME(vstore)(row + c, g);
        NAME(vstore)(colDot + c, NAME(vload)(colDot + c) + g * x);
    }
    for (; c < n; c++) {
        float x = row[c];
        float g = x > -1 && x < 1 ? ex[c] * scale * inv[c] : 0;
        row[c] = g;
        colDot[c] += g * x;
    }
}

static ATTR void NAME(afk_sgd)(float *p, const float *grad, float *buf, ptrdiff_t n, float lr, float momentum, float wd, int first) {
    if (momentum == 0) {
        for (ptrdiff_t j = 0; j < n; j++) p[j] = fmaf(-lr, fmaf(wd, p[j], grad[j]), p[j]);
    } else if (first) {
        for (ptrdiff_t j = 0; j < n; j++) {
            float g = fmaf(wd, p[j], grad[j]);
            buf[j] = g;
            p[j] = fmaf(-lr, g, p[j]);
        }
    } else {
        for (ptrdiff_t j = 0; j < n; j++) {
            float g = fmaf(wd, p[j], grad[j]);
            float b = fmaf(1.0f, g, buf[j] * momentum);
            buf[j] = b;
            p[j] = fmaf(-lr, b, p[j]);
        }
    }
}

static ATTR void NAME(afk_exp)(const float *x, float *y, ptrdiff_t n) {
    ptrdiff_t c = 0;
    for (; c + LANES <= n; c += LANES) NAME(vstore)(y + c, NAME(vexp)(NAME(vload)(x + c)));
    for (; c < n; c++) y[c] = NAME(sexp)(x[c]);
}

