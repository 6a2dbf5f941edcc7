#ifndef WSLOAD_CZLIB_SHIM_H
#define WSLOAD_CZLIB_SHIM_H
#include <zlib.h>

/* deflateInit2 / inflateInit2 are macros; wrap them so Swift can call them. */
static inline int wsl_deflateInit2(z_streamp strm, int level, int windowBits, int memLevel) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}
static inline int wsl_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
