/* The storage's files: names (<path> or <path>.part), creation, renames,
 * and a small cache of open descriptors shared by the workers.
 *
 * Invariants, under fc->mu: ent_of[f] is the cache entry holding f's
 * descriptor or SNONE; an entry with refs > 0 is in use by a job and is
 * never closed or reused; flags[f] tells which name the file has now, so
 * an open and a rename of the same file never race. Opening, creating and
 * renaming happen with the lock held: they are rare next to reads and
 * writes, which run unlocked on descriptors already acquired. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bt/storage_int.h"
#include "btt/err.h"
#include "core/limits.h"

#define PART ".part"
#define NAME_MAX_BYTES 255 /* one path component (Linux NAME_MAX) */

/* The last component is too long to take the suffix. */
static bool part_too_long(const char *path)
{
	const char *last = strrchr(path, '/');
	last = last ? last + 1 : path;
	return strlen(last) + strlen(PART) > NAME_MAX_BYTES;
}

/* The per-file arrays are sized from the torrent (within its limits), so
 * they are allocated fallibly. */
int sfc_init(struct sfcache *fc, const struct btt_metainfo *mi, unsigned cap)
{
	size_t n = mi->num_files ? mi->num_files : 1;

	memset(fc, 0, sizeof(*fc));
	fc->ents = calloc(cap ? cap : 1, sizeof(*fc->ents));
	fc->ent_of = calloc(n, sizeof(*fc->ent_of));
	fc->flags = calloc(n, sizeof(*fc->flags));
	fc->dirty = calloc(n, sizeof(*fc->dirty));
	if (!fc->ents || !fc->ent_of || !fc->flags || !fc->dirty ||
	    pthread_mutex_init(&fc->mu, NULL) != 0) {
		free(fc->ents);
		free(fc->ent_of);
		free(fc->flags);
		free(fc->dirty);
		memset(fc, 0, sizeof(*fc));
		return -ENOMEM;
	}
	fc->mi = mi;
	fc->dirfd = -1;
	fc->cap = cap;
	fc->head = fc->tail = SNONE;
	for (uint32_t f = 0; f < mi->num_files; f++) {
		const struct btt_file *file = &mi->files[f];
		fc->ent_of[f] = SNONE;
		if (!sfc_skipped(file) && part_too_long(file->path))
			fc->flags[f] = SF_NOPART;
	}
	return 0;
}

void sfc_close_all(struct sfcache *fc)
{
	pthread_mutex_lock(&fc->mu);
	for (uint32_t i = 0; i < fc->n; i++) {
		if (fc->ents[i].fd >= 0)
			close(fc->ents[i].fd);
		fc->ent_of[fc->ents[i].file] = SNONE;
	}
	fc->n = 0;
	fc->head = fc->tail = SNONE;
	pthread_mutex_unlock(&fc->mu);
}

void sfc_release(struct sfcache *fc)
{
	if (!fc->mi)
		return;
	sfc_close_all(fc);
	if (fc->dirfd >= 0)
		close(fc->dirfd);
	pthread_mutex_destroy(&fc->mu);
	free(fc->ents);
	free(fc->ent_of);
	free(fc->flags);
	free(fc->dirty);
	memset(fc, 0, sizeof(*fc));
}

int sfc_path(const struct sfcache *fc, uint32_t f, bool part, char *buf,
	     size_t size)
{
	int n = snprintf(buf, size, "%s%s", fc->mi->files[f].path,
			 part ? PART : "");
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int sfc_mkdirs(int dirfd, const char *rel)
{
	char buf[BTT_METAINFO_MAX_PATH_LEN + 16];
	size_t n = strlen(rel);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, rel, n + 1);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdirat(dirfd, buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

/* ---- the LRU list (lock held) ---- */

static void lru_unlink(struct sfcache *fc, uint32_t e)
{
	struct sfd *d = &fc->ents[e];

	if (d->prev != SNONE)
		fc->ents[d->prev].next = d->next;
	else
		fc->head = d->next;
	if (d->next != SNONE)
		fc->ents[d->next].prev = d->prev;
	else
		fc->tail = d->prev;
}

static void lru_push(struct sfcache *fc, uint32_t e)
{
	struct sfd *d = &fc->ents[e];

	d->prev = SNONE;
	d->next = fc->head;
	if (fc->head != SNONE)
		fc->ents[fc->head].prev = e;
	fc->head = e;
	if (fc->tail == SNONE)
		fc->tail = e;
}

/* Closes entry e (not in use) and moves the last entry into its place. */
static void ent_drop(struct sfcache *fc, uint32_t e)
{
	uint32_t last = fc->n - 1;

	lru_unlink(fc, e);
	close(fc->ents[e].fd);
	fc->ent_of[fc->ents[e].file] = SNONE;
	if (e != last) {
		lru_unlink(fc, last);
		fc->ents[e] = fc->ents[last];
		fc->ent_of[fc->ents[e].file] = e;
		lru_push(fc, e);
	}
	fc->n--;
}

/* A free entry, evicting the least recently used idle one; SNONE when
 * every entry is in use. */
static uint32_t ent_alloc(struct sfcache *fc)
{
	for (uint32_t e = fc->tail; fc->n == fc->cap && e != SNONE;
	     e = fc->ents[e].prev) {
		if (!fc->ents[e].refs) {
			ent_drop(fc, e);
			break;
		}
	}
	return fc->n < fc->cap ? fc->n++ : SNONE;
}

/* ---- opening (lock held) ---- */

static void mark_dirty(struct sfcache *fc, uint32_t f)
{
	if (fc->flags[f] & SF_DIRTY)
		return;
	fc->flags[f] |= SF_DIRTY;
	fc->dirty[fc->ndirty++] = f;
}

/* Checks what an open gave: regular files are extended to their length
 * when opened for writing; character devices are used as they are. */
static int check_fd(struct sfcache *fc, uint32_t f, int fd, bool write)
{
	uint64_t len = fc->mi->files[f].length;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISCHR(st.st_mode))
		return 0;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (write && (uint64_t)st.st_size < len &&
	    ftruncate(fd, (off_t)len) < 0)
		return -errno;
	return 0;
}

static int open_file(struct sfcache *fc, uint32_t f, bool write)
{
	const int base = O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	char path[BTT_METAINFO_MAX_PATH_LEN + 16];
	uint8_t fl = fc->flags[f];
	bool part = (fl & SF_EXISTS) ? (fl & SF_PART) != 0 : !(fl & SF_NOPART);
	int fd, rc;

	if ((rc = sfc_path(fc, f, part, path, sizeof(path))) != 0)
		return rc;
	if (!(fl & SF_EXISTS) && !write)
		return -ENOENT;
	if (fl & SF_EXISTS) {
		fd = openat(fc->dirfd, path,
			    base | (write ? O_RDWR : O_RDONLY));
		if (fd < 0 && (errno != ENOENT || !write))
			return -errno;
	} else {
		fd = -1;
	}
	if (fd < 0) { /* create it, or again if it was removed */
		if ((rc = sfc_mkdirs(fc->dirfd, path)) != 0)
			return rc;
		fd = openat(fc->dirfd, path, base | O_RDWR | O_CREAT, 0644);
		if (fd < 0)
			return -errno;
		fc->flags[f] = (uint8_t)((fl & ~SF_PART) | SF_EXISTS |
					 (part ? SF_PART : 0));
	}
	if ((rc = check_fd(fc, f, fd, write)) != 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int sfc_acquire(struct sfcache *fc, uint32_t f, bool write, struct sfref *out)
{
	uint32_t e;
	int fd, rc = 0;

	pthread_mutex_lock(&fc->mu);
	e = fc->ent_of[f];
	if (e != SNONE && (fc->ents[e].rw || !write)) {
		fc->ents[e].refs++;
		lru_unlink(fc, e);
		lru_push(fc, e);
		*out = (struct sfref){fc->ents[e].fd, e};
		goto out;
	}
	if (e != SNONE && !fc->ents[e].refs) /* read-only: reopen */
		ent_drop(fc, e);
	fd = open_file(fc, f, write);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	e = fc->ent_of[f] == SNONE ? ent_alloc(fc) : SNONE;
	*out = (struct sfref){fd, e};
	if (e != SNONE) {
		fc->ents[e] = (struct sfd){
			.fd = fd, .file = f, .refs = 1, .rw = write};
		fc->ent_of[f] = e;
		lru_push(fc, e);
	}
out:
	if (!rc && write)
		mark_dirty(fc, f);
	pthread_mutex_unlock(&fc->mu);
	return rc;
}

void sfc_put(struct sfcache *fc, struct sfref *r)
{
	if (r->ent == SNONE) {
		close(r->fd);
		return;
	}
	pthread_mutex_lock(&fc->mu);
	fc->ents[r->ent].refs--;
	pthread_mutex_unlock(&fc->mu);
}

/* ---- names ---- */

static int stat_name(struct sfcache *fc, uint32_t f, bool part, struct stat *st)
{
	char path[BTT_METAINFO_MAX_PATH_LEN + 16];
	int rc = sfc_path(fc, f, part, path, sizeof(path));

	if (rc)
		return rc;
	if (fstatat(fc->dirfd, path, st, 0) == 0)
		return 0;
	return errno == ENOTDIR ? -ENOENT : -errno;
}

int sfc_stat(struct sfcache *fc, uint32_t f, struct btt_resume_file *out)
{
	struct stat st;
	bool part = false;
	int rc;

	out->size = 0;
	out->mtime_ns = BTT_RESUME_ABSENT;
	pthread_mutex_lock(&fc->mu);
	fc->flags[f] &= (uint8_t) ~(SF_EXISTS | SF_PART);
	rc = stat_name(fc, f, false, &st);
	if (rc == -ENOENT && !(fc->flags[f] & SF_NOPART)) {
		part = true;
		rc = stat_name(fc, f, true, &st);
	}
	if (!rc && S_ISDIR(st.st_mode))
		rc = -EISDIR;
	else if (!rc && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		rc = -EINVAL;
	if (!rc) {
		fc->flags[f] |= (uint8_t)(SF_EXISTS | (part ? SF_PART : 0));
		out->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
		out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
				st.st_mtim.tv_nsec;
	}
	pthread_mutex_unlock(&fc->mu);
	return rc == -ENOENT ? 0 : rc;
}

int sfc_create_empty(struct sfcache *fc, uint32_t f)
{
	const char *path = fc->mi->files[f].path;
	bool skip;
	int fd, rc;

	pthread_mutex_lock(&fc->mu);
	skip = (fc->flags[f] & SF_SKIP) != 0;
	pthread_mutex_unlock(&fc->mu);
	if (skip)
		return 0;
	if ((rc = sfc_mkdirs(fc->dirfd, path)) != 0)
		return rc;
	fd = openat(fc->dirfd, path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY,
		    0644);
	if (fd < 0)
		return -errno;
	close(fd);
	pthread_mutex_lock(&fc->mu);
	fc->flags[f] = (uint8_t)((fc->flags[f] & ~SF_PART) | SF_EXISTS);
	pthread_mutex_unlock(&fc->mu);
	return 0;
}

int sfc_finish(struct sfcache *fc, uint32_t f)
{
	char from[BTT_METAINFO_MAX_PATH_LEN + 16];
	const char *to = fc->mi->files[f].path;
	int rc = 0;

	pthread_mutex_lock(&fc->mu);
	if ((fc->flags[f] & (SF_EXISTS | SF_PART)) == (SF_EXISTS | SF_PART)) {
		rc = sfc_path(fc, f, true, from, sizeof(from));
		if (!rc && renameat(fc->dirfd, from, fc->dirfd, to) < 0)
			rc = -errno;
		if (!rc)
			fc->flags[f] &= (uint8_t)~SF_PART;
	}
	pthread_mutex_unlock(&fc->mu);
	return rc;
}

void sfc_take_dirty(struct sfcache *fc, uint32_t **out, size_t *out_n)
{
	uint32_t *list;

	pthread_mutex_lock(&fc->mu);
	list = malloc((fc->ndirty ? fc->ndirty : 1) * sizeof(*list));
	if (!list)
		abort();
	for (size_t i = 0; i < fc->ndirty; i++) {
		list[i] = fc->dirty[i];
		fc->flags[list[i]] &= (uint8_t)~SF_DIRTY;
	}
	*out = list;
	*out_n = fc->ndirty;
	fc->ndirty = 0;
	pthread_mutex_unlock(&fc->mu);
}

void sfc_mark_dirty(struct sfcache *fc, uint32_t f)
{
	pthread_mutex_lock(&fc->mu);
	mark_dirty(fc, f);
	pthread_mutex_unlock(&fc->mu);
}

void sfc_set_skip(struct sfcache *fc, uint32_t f, bool skip)
{
	pthread_mutex_lock(&fc->mu);
	if (skip)
		fc->flags[f] |= SF_SKIP;
	else
		fc->flags[f] &= (uint8_t)~SF_SKIP;
	pthread_mutex_unlock(&fc->mu);
}

bool sfc_wanted_absent(struct sfcache *fc, uint32_t f)
{
	bool r;

	pthread_mutex_lock(&fc->mu);
	r = !(fc->flags[f] & (SF_SKIP | SF_EXISTS));
	pthread_mutex_unlock(&fc->mu);
	return r;
}
