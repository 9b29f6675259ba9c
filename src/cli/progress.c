/* The progress display of long commands (create, verify, get): a bar
 * redrawn in place at most ten times a second on a terminal, or one plain
 * line a second when asked for (-v) off a terminal. Writes to stderr only,
 * so stdout stays clean for data. */
#include <stdio.h>

#include "cli/cli_int.h"
#include "core/clock.h"

#define BAR_WIDTH 24

void btt_cli_progress_init(struct btt_cli_progress *p, const char *label,
			   bool quiet, bool verbose)
{
	p->label = label;
	p->tty = btt_cli_isatty(2);
	p->on = !quiet && (p->tty || verbose);
	p->drawn = false;
	btt_cli_progress_restart(p);
}

void btt_cli_progress_restart(struct btt_cli_progress *p)
{
	p->start_ns = p->last_ns = btt_clock_now_ns();
}

void btt_cli_progress_update(struct btt_cli_progress *p, uint64_t done,
			     uint64_t total)
{
	uint64_t now = btt_clock_now_ns(), el = now - p->start_ns;
	double frac, rate, eta;
	char bar[BAR_WIDTH + 1];
	unsigned fill;

	if (!p->on)
		return;
	if (done < total &&
	    now - p->last_ns < (p->tty ? 100000000ull : 1000000000ull))
		return;
	p->last_ns = now;
	frac = total ? (double)done / (double)total : 1.0;
	rate = el ? (double)done / ((double)el / 1e9) : 0;
	eta = rate > 0 ? (double)(total - done) / rate : 0;
	fill = (unsigned)(frac * BAR_WIDTH);
	for (unsigned i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = 0;
	fprintf(stderr, "%s%s [%s] %5.1f%%  %8.1f MB/s  ETA %3u:%02u%s",
		p->tty ? "\r" : "", p->label, bar, 100.0 * frac, rate / 1e6,
		(unsigned)(eta / 60), (unsigned)eta % 60, p->tty ? "" : "\n");
	p->drawn = true;
}

void btt_cli_progress_end(struct btt_cli_progress *p)
{
	if (p->drawn && p->tty)
		fputc('\n', stderr);
	p->drawn = false;
}
