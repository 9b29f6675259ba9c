/* The file list of a torrent being created.
 *
 * Directories are walked with an explicit stack (no recursion), symbolic
 * links and special files are skipped with a warning and never followed,
 * and every name must pass the same checks a downloaded torrent's paths
 * get (bt/path.h), so whatever we create we would also accept. The list
 * ends sorted component by component (create.h explains the order). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btt/err.h"
#include "bt/create_int.h"
#include "bt/path.h"
#include "core/limits.h"

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}

/* "a" + "/" + "b", or just "b" when a is empty. */
static char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (!p)
		abort();
	memcpy(p, a, la);
	if (la && a[la - 1] != '/')
		p[la++] = '/';
	memcpy(p + la, b, lb + 1);
	return p;
}

int btt_bt_create_path_cmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	/* Rank the end of the string 0, '/' 1 and every other byte above. */
	for (;; p++, q++) {
		int x = *p == '/' ? 1 : *p ? *p + 1 : 0;
		int y = *q == '/' ? 1 : *q ? *q + 1 : 0;
		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			return 0;
	}
}

static int file_cmp(const void *a, const void *b)
{
	const struct create_file *fa = a, *fb = b;
	return btt_bt_create_path_cmp(fa->rel, fb->rel);
}

static int add_file(struct create_ctx *c, char *rel, char *open_path,
		    const struct stat *st)
{
	uint64_t size = (uint64_t)st->st_size;
	struct create_file *f;

	if (c->nfiles >= BTT_METAINFO_MAX_FILES ||
	    size > BTT_METAINFO_MAX_TOTAL - c->total) {
		btt_bt_create_fail(c, BTT_ELIMIT, true,
				   "%s: too many files or too much data "
				   "(at most %u files, %llu bytes)",
				   c->opts->path, BTT_METAINFO_MAX_FILES,
				   (unsigned long long)BTT_METAINFO_MAX_TOTAL);
		free(rel);
		free(open_path);
		return c->err;
	}
	if (c->nfiles == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->files = realloc(c->files, c->cap * sizeof(*c->files));
		if (!c->files)
			abort();
	}
	f = &c->files[c->nfiles++];
	memset(f, 0, sizeof(*f));
	f->rel = rel;
	f->open_path = open_path;
	f->size = size;
	/* libtorrent marks a file executable by the owner bit alone. */
	f->exec = (st->st_mode & S_IXUSR) != 0;
	f->fd = -1;
	c->total += size;
	return 0;
}

/* The torrent name: the last component of PATH, or of its real path when
 * PATH ends in "." or "..". */
static int take_name(struct create_ctx *c, const char *path)
{
	size_t len = strlen(path);
	const char *why, *base;
	char *copy, *real = NULL;
	int err;

	while (len > 1 && path[len - 1] == '/')
		len--;
	copy = strndup(path, len);
	if (!copy)
		abort();
	base = strrchr(copy, '/') ? strrchr(copy, '/') + 1 : copy;
	if (!strcmp(base, ".") || !strcmp(base, "..") || !*base) {
		real = realpath(path, NULL);
		if (!real) {
			err = -errno;
			free(copy);
			return btt_bt_create_fail(c, err, true, "%s: %s", path,
						  strerror(-err));
		}
		base = strrchr(real, '/') + 1;
	}
	err = btt_path_component_check(base, strlen(base), &why);
	if (err)
		btt_bt_create_fail(c, err, true,
				   "%s: unusable torrent name: %s", path, why);
	else
		c->name = xstrdup(base);
	free(real);
	free(copy);
	return err;
}

/* Checks a directory entry's name and the limits on the joined path. */
static int check_entry(struct create_ctx *c, const char *dir_path,
		       const char *rel, const char *name)
{
	const char *why;
	unsigned depth = 2; /* the torrent name and this entry */
	int err = btt_path_component_check(name, strlen(name), &why);

	if (err)
		return btt_bt_create_fail(c, err, true,
					  "%s/%s: unsafe name: %s", dir_path,
					  name, why);
	for (const char *s = rel; *s; s++)
		depth += *s == '/';
	depth += *rel != '\0';
	/* joined as name/rel/entry, rel possibly empty */
	if (depth > BTT_METAINFO_MAX_PATH_DEPTH ||
	    strlen(c->name) + 1 + strlen(rel) + (*rel != '\0') + strlen(name) >
		    BTT_METAINFO_MAX_PATH_LEN)
		return btt_bt_create_fail(c, BTT_ELIMIT, true,
					  "%s/%s: path too deep or too long",
					  dir_path, name);
	return 0;
}

struct dir_stack {
	char **rel;
	size_t n, cap;
};

static void stack_push(struct dir_stack *s, char *rel)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->rel = realloc(s->rel, s->cap * sizeof(*s->rel));
		if (!s->rel)
			abort();
	}
	s->rel[s->n++] = rel;
}

/* Handles one entry of directory `rel` (opened as dfd). */
static int walk_entry(struct create_ctx *c, struct dir_stack *stack, int dfd,
		      const char *dir_path, const char *rel, const char *name)
{
	struct stat st;
	char *child, *open_path;
	int err = check_entry(c, dir_path, rel, name);

	if (err)
		return err;
	open_path = path_join(dir_path, name);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		err = -errno;
		btt_bt_create_fail(c, err, false, "%s: %s", open_path,
				   strerror(-err));
		free(open_path);
		return err;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		if (c->opts->warn)
			c->opts->warn(c->opts->cb_arg, open_path,
				      S_ISLNK(st.st_mode)
					      ? "symbolic link"
					      : "not a regular file");
		free(open_path);
		return 0;
	}
	child = path_join(rel, name);
	if (S_ISDIR(st.st_mode)) {
		free(open_path);
		stack_push(stack, child);
		return 0;
	}
	return add_file(c, child, open_path, &st);
}

static int walk_one_dir(struct create_ctx *c, struct dir_stack *stack,
			const char *rel)
{
	char *dir_path = path_join(c->opts->path, rel);
	DIR *d = opendir(dir_path);
	struct dirent *e;
	int err = 0;

	if (!d) {
		err = -errno;
		btt_bt_create_fail(c, err, false, "%s: %s", dir_path,
				   strerror(-err));
		free(dir_path);
		return err;
	}
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (!e) {
			if (errno) {
				err = -errno;
				btt_bt_create_fail(c, err, false, "%s: %s",
						   dir_path, strerror(-err));
			}
			break;
		}
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		err = walk_entry(c, stack, dirfd(d), dir_path, rel, e->d_name);
		if (err)
			break;
	}
	closedir(d);
	free(dir_path);
	return err;
}

static int walk_tree(struct create_ctx *c)
{
	struct dir_stack stack = {0};
	int err = 0;

	stack_push(&stack, xstrdup(""));
	while (stack.n) {
		char *rel = stack.rel[--stack.n];
		if (!err)
			err = walk_one_dir(c, &stack, rel);
		free(rel);
	}
	free(stack.rel);
	return err;
}

int btt_bt_create_walk(struct create_ctx *c)
{
	const char *path = c->opts->path;
	struct stat st;
	int err;

	if (stat(path, &st) < 0) {
		err = -errno;
		return btt_bt_create_fail(c, err, true, "%s: %s", path,
					  strerror(-err));
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return btt_bt_create_fail(c, BTT_EINVALID, true,
					  "%s: not a regular file or directory",
					  path);
	if ((err = take_name(c, path)))
		return err;
	if (S_ISREG(st.st_mode)) {
		c->single = true;
		return add_file(c, xstrdup(c->name), xstrdup(path), &st);
	}
	if ((err = walk_tree(c)))
		return err;
	if (!c->nfiles)
		return btt_bt_create_fail(c, BTT_EINVALID, true,
					  "%s: no files to add", path);
	qsort(c->files, c->nfiles, sizeof(*c->files), file_cmp);
	return 0;
}
