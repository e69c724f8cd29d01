/* mpi.c - data-parallel training over MPI (make model ... MPI=1).
 *
 * The rule (README.md, "Data-parallel training with MPI"): a batch is cut
 * into the same chunks as in one process (a function of the batch size
 * only); rank r computes chunks [r nc / N, (r+1) nc / N); then every chunk's
 * buffer (gradients, batch-norm partial statistics, loss and metric sums) is
 * gathered to every rank in chunk order with MPI_Allgatherv, and each rank
 * sums them in chunk order exactly as one process does and takes the same
 * optimizer step.  So every rank holds the same weights, bit for bit, and
 * they equal one process's with any --threads.  Only the main thread calls
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

void rt_mpi_gather_f(float *buf, long len, int nc) { gather(buf, len, nc, MPI_FLOAT); }
void rt_mpi_gather_d(double *buf, long len, int nc) { gather(buf, len, nc, MPI_DOUBLE); }
