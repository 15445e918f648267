#ifndef ANALYZE_CGMP_SHIM_H
#define ANALYZE_CGMP_SHIM_H
/*
 * GMP for Swift. GMP's public mpz_* names are C macros (mpz_add expands to
 * __gmpz_add; mpz_sgn is a function-like macro), which Swift cannot call.
 * Each operation the BigInt module needs is wrapped here as a static inline
 * function with a plain name.
 */
#include <gmp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static inline void cgmp_init(mpz_ptr r) { mpz_init(r); }
static inline void cgmp_init2(mpz_ptr r, mp_bitcnt_t bits) { mpz_init2(r, bits); }
static inline void cgmp_init_set(mpz_ptr r, mpz_srcptr a) { mpz_init_set(r, a); }
static inline void cgmp_init_set_si(mpz_ptr r, long v) { mpz_init_set_si(r, v); }
static inline void cgmp_clear(mpz_ptr r) { mpz_clear(r); }
static inline void cgmp_set(mpz_ptr r, mpz_srcptr a) { mpz_set(r, a); }
static inline int cgmp_set_str(mpz_ptr r, const char *s, int base) { return mpz_set_str(r, s, base); }

static inline void cgmp_add(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_add(r, a, b); }
static inline void cgmp_sub(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_sub(r, a, b); }
static inline void cgmp_mul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_mul(r, a, b); }
static inline void cgmp_mul_si(mpz_ptr r, mpz_srcptr a, long b) { mpz_mul_si(r, a, b); }
static inline void cgmp_mul_ui(mpz_ptr r, mpz_srcptr a, unsigned long b) { mpz_mul_ui(r, a, b); }
static inline void cgmp_neg(mpz_ptr r, mpz_srcptr a) { mpz_neg(r, a); }
static inline void cgmp_abs(mpz_ptr r, mpz_srcptr a) { mpz_abs(r, a); }
static inline void cgmp_mul_2exp(mpz_ptr r, mpz_srcptr a, mp_bitcnt_t n) { mpz_mul_2exp(r, a, n); }
static inline void cgmp_fdiv_q_2exp(mpz_ptr r, mpz_srcptr a, mp_bitcnt_t n) { mpz_fdiv_q_2exp(r, a, n); }
static inline void cgmp_tdiv_qr(mpz_ptr q, mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_tdiv_qr(q, r, a, b); }
static inline void cgmp_fdiv_q(mpz_ptr q, mpz_srcptr a, mpz_srcptr b) { mpz_fdiv_q(q, a, b); }
static inline void cgmp_cdiv_q(mpz_ptr q, mpz_srcptr a, mpz_srcptr b) { mpz_cdiv_q(q, a, b); }
static inline int cgmp_divisible_p(mpz_srcptr a, mpz_srcptr b) { return mpz_divisible_p(a, b); }
static inline void cgmp_divexact(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_divexact(r, a, b); }
static inline void cgmp_divexact_ui(mpz_ptr r, mpz_srcptr a, unsigned long b) { mpz_divexact_ui(r, a, b); }
static inline void cgmp_pow_ui(mpz_ptr r, mpz_srcptr a, unsigned long e) { mpz_pow_ui(r, a, e); }
static inline void cgmp_bin_uiui(mpz_ptr r, unsigned long n, unsigned long k) { mpz_bin_uiui(r, n, k); }
static inline int cgmp_root(mpz_ptr r, mpz_srcptr a, unsigned long n) { return mpz_root(r, a, n); }
static inline void cgmp_fac_ui(mpz_ptr r, unsigned long n) { mpz_fac_ui(r, n); }

static inline int cgmp_cmp(mpz_srcptr a, mpz_srcptr b) { return mpz_cmp(a, b); }
static inline int cgmp_cmp_si(mpz_srcptr a, long b) { return mpz_cmp_si(a, b); }
static inline int cgmp_sgn(mpz_srcptr a) { return mpz_sgn(a); }
static inline int cgmp_fits_slong_p(mpz_srcptr a) { return mpz_fits_slong_p(a); }
static inline long cgmp_get_si(mpz_srcptr a) { return mpz_get_si(a); }
static inline double cgmp_get_d_2exp(long *exp, mpz_srcptr a) { return mpz_get_d_2exp(exp, a); }
static inline size_t cgmp_sizeinbase(mpz_srcptr a, int base) { return mpz_sizeinbase(a, base); }
static inline char *cgmp_get_str(char *buf, int base, mpz_srcptr a) { return mpz_get_str(buf, base, a); }

/* Frees a string that mpz_get_str allocated, with GMP's own allocator. */
static inline void cgmp_free_str(char *s) {
    void (*free_fn)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &free_fn);
    free_fn(s, strlen(s) + 1);
}

/*
 * acc += a · 2^(64·limbs), for a >= 0 and acc >= 0, touching only the limbs at
 * or above `limbs`. Used by the DAG recurrences, whose terms are small numbers
 * shifted far to the left: mpz_mul_2exp + mpz_add would rewrite every low limb
 * of the sum for every term. Callers keep the sub-limb part of a shift inside
 * `a` itself.
 */
static inline void cgmp_add_at_limb(mpz_ptr acc, mpz_srcptr a, mp_size_t limbs) {
    mp_size_t an = a->_mp_size;
    if (an <= 0) return;
    mp_size_t cn = acc->_mp_size;
    /* one spare zero limb on top, so a carry never leaves the number */
    mp_size_t need = (limbs + an > cn ? limbs + an : cn) + 1;
    mp_ptr ap = mpz_limbs_modify(acc, need);
    for (mp_size_t i = cn; i < need; i++) ap[i] = 0;
    mpn_add(ap + limbs, ap + limbs, need - limbs, mpz_limbs_read(a), an);
    while (need > 0 && ap[need - 1] == 0) need--;
    mpz_limbs_finish(acc, need);
}

#endif
