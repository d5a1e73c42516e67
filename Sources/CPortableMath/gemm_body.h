// The body of pm_sgemm and pm_dgemm (included by gemm.c with T and NAME defined).
void NAME(int trans_a, int trans_b, long m, long n, long k, T alpha,
          const T *a, long lda, const T *b, long ldb, T beta, T *c, long ldc,
          long row_begin, long row_end) {
    if (row_end > m) row_end = m;
    if (row_begin < 0) row_begin = 0;
    if (row_begin >= row_end || n <= 0) return;
    long kk = k > 0 ? k : 0;
    long panels = (n + NR - 1) / NR;
    // op(B) as panels of NR columns, p-major inside a panel, zero-padded: the kernel streams it.
    T *bp = malloc(sizeof(T) * (size_t)(panels * NR * (kk ? kk : 1)));
    T *ap = malloc(sizeof(T) * (size_t)(MR * (kk ? kk : 1)));
    if (!bp || !ap) abort();
    for (long jp = 0; jp < panels; jp++)
        for (long p = 0; p < kk; p++)
            for (int jj = 0; jj < NR; jj++) {
                long j = jp * NR + jj;
                bp[(jp * kk + p) * NR + jj] = j < n ? (trans_b ? b[j * ldb + p] : b[p * ldb + j]) : (T)0;
            }
    for (long i0 = row_begin; i0 < row_end; i0 += MR) {
        long rows = row_end - i0 < MR ? row_end - i0 : MR;
        for (long p = 0; p < kk; p++)
            for (int r = 0; r < MR; r++)
                ap[p * MR + r] = r < rows ? (trans_a ? a[p * lda + i0 + r] : a[(i0 + r) * lda + p]) : (T)0;
        for (long jp = 0; jp < panels; jp++) {
            // Each acc[r][jj] is its own sum over p in index order: lanes never mix.
            T acc[MR][NR];
            for (int r = 0; r < MR; r++) for (int jj = 0; jj < NR; jj++) acc[r][jj] = 0;
            const T *bq = bp + jp * kk * NR;
            for (long p = 0; p < kk; p++) {
                const T *bv = bq + p * NR;
                const T *av = ap + p * MR;
                for (int r = 0; r < MR; r++)
                    for (int jj = 0; jj < NR; jj++) acc[r][jj] += av[r] * bv[jj];
            }
            for (long r = 0; r < rows; r++)
                for (int jj = 0; jj < NR; jj++) {
                    long j = jp * NR + jj;
                    if (j >= n) break;
                    T *out = c + (i0 + r) * ldc + j;
                    *out = beta == 0 ? alpha * acc[r][jj] : alpha * acc[r][jj] + beta * *out;
                }
        }
    }
    free(bp);
    free(ap);
}
