#ifndef VITREL_CDNNL_SHIM_H
#define VITREL_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>

/* Debian's oneDNN runs its threads on OpenMP (libgomp, which it links). vitrel keeps its
   calls single-threaded on its own pool and sets the OpenMP thread count per calling thread;
   the two OpenMP routines it needs are declared here because Swift's clang does not search
   gcc's private include folder for omp.h. */
void omp_set_num_threads(int num_threads);
int omp_get_max_threads(void);
#endif
