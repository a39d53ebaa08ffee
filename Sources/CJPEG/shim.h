#ifndef VITREL_CJPEG_SHIM_H
#define VITREL_CJPEG_SHIM_H
#include <stdio.h>
#include <stddef.h>
#include <setjmp.h>
#include <jpeglib.h>
#endif
