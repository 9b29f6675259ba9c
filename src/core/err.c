/* Error messages and names for the list in include/btt/err.h. */
#include <errno.h>
#include <string.h>

#include "btt/err.h"

const char *btt_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
#define BTT_ERR_MSG(name, code, msg)                                         \
	case code:                                                            \
		return msg;
		BTT_ERRORS(BTT_ERR_MSG)
#undef BTT_ERR_MSG
	default:
		break;
	}
	if (err < 0 && err > -4096)
		return strerror(-err);
	return "unknown error";
}

const char *btt_err_name(int err)
{
	switch (err) {
	case 0:
		return "OK";
#define BTT_ERR_NAME(name, code, msg)                                        \
	case code:                                                            \
		return "BTT_E" #name;
		BTT_ERRORS(BTT_ERR_NAME)
#undef BTT_ERR_NAME
	case -ENOENT:
		return "ENOENT";
	case -ENOMEM:
		return "ENOMEM";
	case -EACCES:
		return "EACCES";
	case -EEXIST:
		return "EEXIST";
	case -ENOSPC:
		return "ENOSPC";
	case -EIO:
		return "EIO";
	case -EINVAL:
		return "EINVAL";
	case -EISDIR:
		return "EISDIR";
	case -ENOTDIR:
		return "ENOTDIR";
	case -EROFS:
		return "EROFS";
	default:
		return "EUNKNOWN";
	}
}
