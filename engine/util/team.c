/* team.c — the caller and one worker thread sharing jobs (see team.h).
 *
 * Each side spins a little before sleeping on a condition variable, since
 * while a tree grows or a loss is minimised a job follows the last one
 * within microseconds; the spin yields the core now and then in case the
 * other side waits for it. Who runs part 1 is settled by one compare-and-swap
 * on `claimed`: the worker takes a job only if the caller has not taken its
 * part 1 back, and the caller, done with part 0, takes it back only if the
 * worker has not started it. */
#include "team.h"

#include <sched.h>
#include <string.h>

#define TEAM_SPIN 20000

static void *team_worker(void *arg) {
    team *t = arg;
    unsigned seen = 0;
    for (;;) {
        for (int i = 0; i < TEAM_SPIN && atomic_load(&t->gen) == seen && !atomic_load(&t->quit); i++)
            if (i % 64 == 63) sched_yield();
        pthread_mutex_lock(&t->mu);
        while (atomic_load(&t->gen) == seen && !atomic_load(&t->quit)) pthread_cond_wait(&t->go, &t->mu);
        pthread_mutex_unlock(&t->mu);
        if (atomic_load(&t->quit)) break;
        seen = atomic_load(&t->gen);
        unsigned before = seen - 1;
        if (!atomic_compare_exchange_strong(&t->claimed, &before, seen)) continue; /* the caller ran it */
        t->fn(t->arg, 1);
        pthread_mutex_lock(&t->mu);
        atomic_store(&t->finished, seen);
        pthread_cond_signal(&t->done);
        pthread_mutex_unlock(&t->mu);
    }
    return NULL;
}

void team_start(team *t) {
    memset(t, 0, sizeof *t);
    atomic_init(&t->gen, 0);
    atomic_init(&t->claimed, 0);
    atomic_init(&t->finished, 0);
    atomic_init(&t->quit, 0);
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->go, NULL);
    pthread_cond_init(&t->done, NULL);
    t->alive = pthread_create(&t->th, NULL, team_worker, t) == 0;
}

void team_run(team *t, void (*fn)(void *, int), void *arg) {
    if (!t->alive) {
        fn(arg, 0);
        fn(arg, 1);
        return;
    }
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_lock(&t->mu);
    unsigned g = atomic_load(&t->gen) + 1;
    atomic_store(&t->gen, g);
    pthread_cond_signal(&t->go);
    pthread_mutex_unlock(&t->mu);
    fn(arg, 0);
    unsigned before = g - 1;
    if (atomic_compare_exchange_strong(&t->claimed, &before, g)) { /* the worker has not started: do it here */
        fn(arg, 1);
        return;
    }
    for (int i = 0; i < TEAM_SPIN && atomic_load(&t->finished) != g; i++)
        if (i % 64 == 63) sched_yield();
    pthread_mutex_lock(&t->mu);
    while (atomic_load(&t->finished) != g) pthread_cond_wait(&t->done, &t->mu);
    pthread_mutex_unlock(&t->mu);
}

void team_stop(team *t) {
    if (t->alive) {
        pthread_mutex_lock(&t->mu);
        atomic_store(&t->quit, 1);
        pthread_cond_signal(&t->go);
        pthread_mutex_unlock(&t->mu);
        pthread_join(t->th, NULL);
    }
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->go);
    pthread_cond_destroy(&t->done);
}
