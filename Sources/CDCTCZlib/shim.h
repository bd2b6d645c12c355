#ifndef CDCTC_ZLIB_SHIM_H
#define CDCTC_ZLIB_SHIM_H
#include <zlib.h>

// deflateInit2/inflateInit2 are function-like macros that Swift cannot import.
static inline int CDCTCZlib_deflateInit2(z_streamp strm, int level, int windowBits, int memLevel) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}
static inline int CDCTCZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
