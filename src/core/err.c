/* Error messages and names for the list in include/btt/err.h, and names
 * for the errno values that libuv and the system pass through as -errno. */
#include <errno.h>
#include <string.h>

#include "btt/err.h"

/* errno values worth a symbolic name in logs and --json output. */
/* clang-format off */
#define BTT_ERRNO_NAMES(X)                                                   \
	X(EPERM) X(ENOENT) X(EINTR) X(EIO) X(EBADF) X(EAGAIN) X(ENOMEM)       \
	X(EACCES) X(EEXIST) X(EXDEV) X(ENOTDIR) X(EISDIR) X(EINVAL)           \
	X(ENFILE) X(EMFILE) X(EFBIG) X(ENOSPC) X(EROFS) X(EPIPE)              \
	X(ENAMETOOLONG) X(ENOSYS) X(ENOTEMPTY) X(EMSGSIZE) X(EADDRINUSE)      \
	X(EADDRNOTAVAIL) X(ENETUNREACH) X(ECONNABORTED) X(ECONNRESET)         \
	X(ENOTCONN) X(ETIMEDOUT) X(ECONNREFUSED) X(EHOSTUNREACH) X(ECANCELED)
/* clang-format on */

const char *btt_strerror(int err)
{
	switch (err) {
	case 0: return "success";
#define BTT_ERR_MSG(name, code, msg) \
	case code: return msg;
		BTT_ERRORS(BTT_ERR_MSG)
#undef BTT_ERR_MSG
	default: break;
	}
	if (err < 0 && err > -4096)
		return strerror(-err);
	return "unknown error";
}

const char *btt_err_name(int err)
{
	switch (err) {
	case 0: return "OK";
#define BTT_ERR_NAME(name, code, msg) \
	case code: return "BTT_E" #name;
		BTT_ERRORS(BTT_ERR_NAME)
#undef BTT_ERR_NAME
#define BTT_ERRNO_NAME(name) \
	case -name: return #name;
		BTT_ERRNO_NAMES(BTT_ERRNO_NAME)
#undef BTT_ERRNO_NAME
	default: return "EUNKNOWN";
	}
}
