/* summary.c - model.summary() plus the memory a model needs, from the IR. */
#include <stdio.h>

#include "layers.h"

static void shape_str(const gen_layer *l, char *buf, size_t len)
{
    if (l->out_rank == 1)
        snprintf(buf, len, "(None, %d)", l->oc);
    else if (l->out_rank == 2)
        snprintf(buf, len, "(None, %d, %d)", l->ow, l->oc);
    else
        snprintf(buf, len, "(None, %d, %d, %d)", l->oh, l->ow, l->oc);
}

static void kib(FILE *f, const char *what, long bytes)
{
    fprintf(f, "%-44s %12ld bytes (%.1f KiB)\n", what, bytes, bytes / 1024.0);
}

void gen_summary(const gen_model *m, FILE *f)
{
    char shape[64], kind[64];
    fprintf(f, "Model: \"%s\"\n", m->name);
    fprintf(f, "%-40s %-22s %10s\n", "Layer (type)", "Output Shape", "Param #");
    fprintf(f, "=========================================================================\n");
    for (int i = 1; i < m->n_layers; i++) {
        const gen_layer *l = &m->layers[i];
        snprintf(kind, sizeof kind, "%s (%s)", l->name, l->kind->keras);
        shape_str(l, shape, sizeof shape);
        fprintf(f, "%-40s %-22s %10ld\n", kind, shape, l->w_size + l->b_size + l->p_size);
    }
    fprintf(f, "=========================================================================\n");
    fprintf(f, "Total params: %ld\nTrainable params: %ld\nNon-trainable params: %ld\n",
            m->n_params, m->n_trainable, m->n_params - m->n_trainable);
    fprintf(f, "-------------------------------------------------------------------------\n");
    long w = 4 * m->n_params;
    kib(f, "Weights (flash when exported):", w + 4 * m->n_consts);   /* + normalization constants */
    kib(f, "RAM, inference (largest live in+out pair):", m->act_bytes_infer);
    const int slots = gen_optim_slots(&m->opt);
    char what[96];
    if (m->opt.kind == GEN_OPTIM_ADAM && !m->opt.amsgrad)
        snprintf(what, sizeof what, "Training state: gradients + Adam m, v:");
    else
        snprintf(what, sizeof what, "Training state: gradients + %s, %d slot%s:",
                 gen_optim_name(m->opt.kind), slots, slots == 1 ? "" : "s");
    kib(f, what, (1 + slots) * w);
    if (m->n_bn)
        kib(f, "Batch statistics (per chunk of a batch):", 8 * m->n_stats);
    kib(f, "Training activations + gradients per sample:", 4 * (m->n_act + m->n_dact));
    fprintf(f, "Training activations + gradients per batch of %d: %ld bytes\n", m->batch_size,
            4 * (m->n_act + m->n_dact) * (long)m->batch_size);
}
