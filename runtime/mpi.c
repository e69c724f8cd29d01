/* mpi.c - data-parallel training over MPI (make model ... MPI=1).
 *
 * The rule (README.md, "Data-parallel training with MPI"): a batch is cut
 * into the same chunks as in one process (a function of the batch size
 * only); rank r computes chunks [r nc / N, (r+1) nc / N).  The gradients
 * are summed along a chain: the first rank sends the sum of its chunks to
 * the next, which adds its own chunks in order and passes it on, segment
 * by segment so that the links work at once (a pipeline); the last rank
 * broadcasts the total.  Float additions happen in exactly the order one
 * process makes them (c0 + c1 + ... left to right), and each rank moves
 * about 2 x 4P bytes per step, as a ring all-reduce does.  The small
 * buffers (batch-norm partial statistics, loss and metric sums) are
 * gathered to every rank in chunk order with MPI_Allgatherv and summed as
 * one process does.  Every rank takes the same optimizer step, so every
 * rank holds the same weights, bit for bit, and they equal one process's
 * with any --threads.  Only the main thread calls
 * MPI (MPI_THREAD_FUNNELED); errors abort the job (MPI_ERRORS_ARE_FATAL). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "model.h"
#include "rt.h"

static int rank, size = 1, started;

void rt_mpi_init(int *argc, char ***argv)
{
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "error: MPI_Init_thread failed\n");
        exit(1);
    }
    started = 1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
}

void rt_mpi_finalize(void)
{
    if (started)
        MPI_Finalize();
    started = 0;
}

int rt_mpi_rank(void) { return rank; }
int rt_mpi_size(void) { return size; }

/* MPI_Allgatherv in place: block c of len values from the rank that owns
 * chunk c (rt_mpi_range). */
static void gather(void *buf, long len, int nc, MPI_Datatype type)
{
    int counts[64 * 1024 / sizeof(int)], displs[sizeof counts / sizeof(int)];
    if (size == 1)
        return;
    if ((size_t)size > sizeof counts / sizeof(int) || (long)nc * len > INT_MAX) {
        fprintf(stderr, "error: %d ranks or %ld values per batch are more than MPI_Allgatherv takes\n",
                size, (long)nc * len);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    for (int r = 0; r < size; r++) {
        const int lo = (int)((long)r * nc / size), hi = (int)((long)(r + 1) * nc / size);
        counts[r] = (int)((hi - lo) * len), displs[r] = (int)(lo * len);
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, counts, displs, type, MPI_COMM_WORLD);
}

void rt_mpi_gather_d(double *buf, long len, int nc) { gather(buf, len, nc, MPI_DOUBLE); }

/* Segments of the chain's pipeline: 64 Ki floats (256 KiB) each. */
#define SEG (64L * 1024)

/* The ranks that own chunks, in rank order: this rank's neighbours in the
 * chain (-1: none) and the last owner, which ends up with the total. */
static void chain(int nc, int *pred, int *succ, int *last)
{
    *pred = *succ = *last = -1;
    for (int r = 0; r < size; r++) {
        const int lo = (int)((long)r * nc / size), hi = (int)((long)(r + 1) * nc / size);
        if (hi == lo)
            continue;
        if (r < rank)
            *pred = r;
        if (r > rank && *succ < 0)
            *succ = r;
        *last = r;
    }
}

void rt_mpi_sum_chunks(float *grad, const float *cgrad, long P, int nc, int threads)
{
    int lo, hi, pred, succ, last;
    rt_mpi_range(nc, &lo, &hi);
    chain(nc, &pred, &succ, &last);
    const long nseg = (P + SEG - 1) / SEG;
    if (P > INT_MAX || nseg > INT_MAX / 2) {
        fprintf(stderr, "error: %ld parameters are more than one MPI message takes\n", P);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Request *req = hi > lo ? malloc(sizeof *req * (size_t)(2 * nseg)) : NULL;
    if (hi > lo && !req) {
        fprintf(stderr, "error: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (hi > lo) {
        MPI_Request *recv = req, *send = req + nseg;
        for (long s = 0; s < nseg; s++) {
            const long a = s * SEG, n = P - a < SEG ? P - a : SEG;
            recv[s] = send[s] = MPI_REQUEST_NULL;
            if (pred >= 0)
                MPI_Irecv(grad + a, (int)n, MPI_FLOAT, pred, (int)s, MPI_COMM_WORLD, &recv[s]);
        }
        for (long s = 0; s < nseg; s++) {
            const long a = s * SEG, n = P - a < SEG ? P - a : SEG;
            MPI_Wait(&recv[s], MPI_STATUS_IGNORE);
            rt_add_chunks(grad, cgrad, P, a, a + n, lo, hi, pred < 0, threads);
            if (succ >= 0)
                MPI_Isend(grad + a, (int)n, MPI_FLOAT, succ, (int)s, MPI_COMM_WORLD, &send[s]);
        }
        MPI_Waitall((int)nseg, send, MPI_STATUSES_IGNORE);
        free(req);
    }
    MPI_Bcast(grad, (int)P, MPI_FLOAT, last, MPI_COMM_WORLD);
}
