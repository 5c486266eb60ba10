/* hs_clock: the one monotonic clock, in seconds as a double.
 *
 * Durations (request latency, load times, benchmarks, deadlines) are measured with
 * CLOCK_MONOTONIC so a wall-clock step (NTP, an operator's `date -s`) never makes
 * one negative or huge. Microsecond resolution is plenty for everything we log. */
#ifndef HS_CLOCK_H
#define HS_CLOCK_H

/* Seconds since an arbitrary fixed point; only differences mean anything. */
double hs_clock_now(void);

#endif
