#ifndef CDCTC_BZIP2_SHIM_H
#define CDCTC_BZIP2_SHIM_H
#include <bzlib.h>
#endif
