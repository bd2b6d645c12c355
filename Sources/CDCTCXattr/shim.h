#ifndef CDCTC_XATTR_SHIM_H
#define CDCTC_XATTR_SHIM_H
// Extended attributes (fgetxattr, fsetxattr, fremovexattr), which Glibc's Swift module leaves out.
#include <sys/xattr.h>
#endif
