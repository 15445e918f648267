#ifndef ANALYZE_CLAPACK_SHIM_H
#define ANALYZE_CLAPACK_SHIM_H
/* LAPACKE (liblapacke-dev) and CBLAS (libopenblas-dev) for Swift. */
#include <cblas.h>
#include <lapacke.h>
#endif
