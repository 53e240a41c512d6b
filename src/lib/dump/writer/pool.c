// A fixed set of worker threads that run the items of one batch at a
// time: the writer starts a batch of pages to compress, reads the next
// batch meanwhile, then waits. Items are independent and results land in
// their own slots, so the order the workers take them in does not matter.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <pthread.h>
#include <stdlib.h>

#include "dump/writer/writer.h"

struct worker {
	struct pool *pool;
	unsigned int index;
	pthread_t thread;
	bool started;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work;
	pthread_cond_t done;
	struct worker *workers;
	unsigned int nr;
	pool_fn *fn;
	void *arg;
	size_t n, next, finished;
	// Items a worker takes at once: a few per worker and batch, so the
	// lock is not taken per page.
	size_t slice;
	bool stop;
};

static void *worker_main(void *data)
{
	struct worker *w = data;
	struct pool *p = w->pool;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		size_t first, end;

		while (!p->stop && p->next >= p->n)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		first = p->next;
		end = first + p->slice < p->n ? first + p->slice : p->n;
		p->next = end;
		pthread_mutex_unlock(&p->lock);
		for (size_t i = first; i < end; i++)
			p->fn(p->arg, w->index, i);
		pthread_mutex_lock(&p->lock);
		p->finished += end - first;
		if (p->finished == p->n)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct vmt_error *pool_create(unsigned int nr_threads, struct pool **ret)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (!p)
		return &vmt_enomem;
	p->workers = calloc(nr_threads ? nr_threads : 1, sizeof(*p->workers));
	if (!p->workers) {
		free(p);
		return &vmt_enomem;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	for (unsigned int i = 0; i < nr_threads; i++) {
		struct worker *w = &p->workers[i];
		int rc;

		w->pool = p;
		w->index = i;
		rc = pthread_create(&w->thread, NULL, worker_main, w);
		if (rc) {
			pool_destroy(p);
			return vmt_error_os(rc, "pthread_create",
					    "cannot start compression thread %u", i);
		}
		w->started = true;
		p->nr++;
	}
	*ret = p;
	return NULL;
}

void pool_destroy(struct pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->nr; i++)
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p->workers);
	free(p);
}

void pool_start(struct pool *p, pool_fn *fn, void *arg, size_t n)
{
	pthread_mutex_lock(&p->lock);
	p->fn = fn;
	p->arg = arg;
	p->next = 0;
	p->finished = 0;
	p->n = n;
	p->slice = n / (4 * (size_t)p->nr) ? n / (4 * (size_t)p->nr) : 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
}

void pool_wait(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->finished < p->n)
		pthread_cond_wait(&p->done, &p->lock);
	// The batch is over: a late wakeup must not take an item of it.
	p->n = p->next = p->finished = 0;
	pthread_mutex_unlock(&p->lock);
}
