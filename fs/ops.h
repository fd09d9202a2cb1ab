/*
 * ops.h - the FUSE operations of pyrofs.  FUSE_USE_VERSION is set here and
 * nowhere else: we build against libfuse 3.14 or newer.
 */
#ifndef PYRO_OPS_H
#define PYRO_OPS_H

#define FUSE_USE_VERSION 314
#include <fuse.h>
#include <fuse_lowlevel.h>

extern const struct fuse_operations pyro_fuse_ops;

#endif
