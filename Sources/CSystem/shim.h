#ifndef VITREL_CSYSTEM_SHIM_H
#define VITREL_CSYSTEM_SHIM_H
/* glibc pieces the Swift Glibc module leaves out (allocator tuning). */
#include <malloc.h>
#endif
