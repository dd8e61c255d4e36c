/* team.h — two threads for the numeric kernels of engine/learn: the caller
 * and one worker that waits for jobs (spinning briefly, then sleeping).
 *
 * A job has two parts, fn(arg, 0) and fn(arg, 1), which team_run runs at
 * once and returns when both are done. On a loaded machine the worker may
 * not get a core for a while: the caller does not wait for a part the worker
 * has not started, it runs it itself. So a job's parts must not wait for
 * each other; each either does a fixed share (then the result is the same
 * whichever thread ran it) or takes work from a shared counter until none is
 * left. Creating the thread once per fit, not once per job, is what makes
 * jobs of a few microseconds worth sharing. */
#ifndef LAB_TEAM_H
#define LAB_TEAM_H

#include <pthread.h>
#include <stdatomic.h>

typedef struct team {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    atomic_uint gen;      /* the job posted last */
    atomic_uint claimed;  /* the job whose part 1 has an owner: the worker, or the caller */
    atomic_uint finished; /* the job whose part 1 the worker finished last */
    atomic_int quit;
    int alive; /* the worker runs (0: every part runs on the caller) */
    void (*fn)(void *, int);
    void *arg;
} team;

/* Start the worker. Never fails: without a thread (pthread_create failed)
 * team_run runs both parts on the caller. Stop with team_stop. */
void team_start(team *t);
void team_stop(team *t);

/* Run fn(arg, 0) here and fn(arg, 1) on the worker (or here, after part 0,
 * when the worker has not started it yet); return when both are done. Not
 * reentrant: one job at a time per team. */
void team_run(team *t, void (*fn)(void *, int), void *arg);

#endif
