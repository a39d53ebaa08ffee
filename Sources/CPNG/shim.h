#ifndef VITREL_CPNG_SHIM_H
#define VITREL_CPNG_SHIM_H
#include <png.h>
#endif
