/* btt's version: shown by `btt --version` and written into the
 * "created by" field of new torrents. */
#ifndef BTT_VERSION_H
#define BTT_VERSION_H

#define BTT_VERSION "0.1.0"

#endif
