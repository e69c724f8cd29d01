/* emit.c - pass 4: print the lowered model as m4 definitions.
 *
 * Data only: numbers, and identifiers that gen_valid_ident accepted.  All
 * C text lives in templates/.  The file is written next to its target and
 * renamed into place, so a failure never leaves half a file behind. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layers.h"

static void def(FILE *f, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* m4_define(«key», «value») */
static void def(FILE *f, const char *key, const char *fmt, ...)
{
    va_list ap;
    fprintf(f, "m4_define(\xc2\xab%s\xc2\xbb, \xc2\xab", key);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputs("\xc2\xbb)\n", f);
}

/* Shortest text that reads back as the same double. */
static const char *num(double v)
{
    static char buf[4][32];
    static int k;
    char *b = buf[k++ & 3];
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(b, 32, "%.*g", prec, v);
        if (strtod(b, NULL) == v)
            break;
    }
    return b;
}

/* A float as a C literal body: shortest text that reads back as the same
 * float, always with a '.' or an exponent so that appending 'f' is valid. */
static const char *fnum(double v)
{
    static char buf[4][40];
    static int k;
    char *b = buf[k++ & 3];
    float f = (float)v;
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(b, 32, "%.*g", prec, (double)f);
        if (strtof(b, NULL) == f)
            break;
    }
    if (!strpbrk(b, ".e"))
        strcat(b, ".0");
    return b;
}

/* The optimizer: its kind as a number and a word from spec.c's fixed
 * table, every option and the schedule as numbers. */
static void emit_optim(FILE *f, const gen_model *m)
{
    const gen_optim *o = &m->opt;
    char list[2048];
    size_t at = 0;
    def(f, "seqc_optimizer", "%d", (int)o->kind);
    def(f, "seqc_optimizer_name", "%s", gen_optim_name(o->kind));
    def(f, "seqc_optim_slots", "%d", gen_optim_slots(o));
    def(f, "seqc_momentum", "%s", num(o->momentum));
    def(f, "seqc_nesterov", "%d", o->nesterov);
    def(f, "seqc_rho", "%s", num(o->rho));
    def(f, "seqc_centered", "%d", o->centered);
    def(f, "seqc_amsgrad", "%d", o->amsgrad);
    def(f, "seqc_init_accum", "%s", num(o->init_accum));
    def(f, "seqc_weight_decay", "%s", num(o->weight_decay));
    def(f, "seqc_clipnorm", "%s", num(o->clipnorm));
    def(f, "seqc_clipvalue", "%s", num(o->clipvalue));
    def(f, "seqc_global_clipnorm", "%s", num(o->global_clipnorm));
    def(f, "seqc_lr_schedule", "%d", (int)o->schedule);
    def(f, "seqc_lr_decay_steps", "%s", num(o->decay_steps));
    def(f, "seqc_lr_decay_rate", "%s", num(o->decay_rate));
    def(f, "seqc_lr_staircase", "%d", o->staircase);
    def(f, "seqc_lr_alpha", "%s", num(o->alpha));
    def(f, "seqc_lr_has_warmup_target", "%d", o->has_warmup_target);
    def(f, "seqc_lr_warmup_target", "%s", num(o->warmup_target));
    def(f, "seqc_lr_warmup_steps", "%s", num(o->warmup_steps));
    /* piecewise_constant_decay: boundaries and values as C initializers
     * (one dummy boundary and the constant rate otherwise) */
    const int nb = o->schedule == GEN_LR_PIECEWISE ? o->n_boundaries : 0;
    def(f, "seqc_lr_n_boundaries", "%d", nb);
    list[0] = 0;
    for (int i = 0; i < nb; i++)
        at += (size_t)snprintf(list + at, sizeof list - at, "%s%ld", i ? ", " : "", o->boundaries[i]);
    def(f, "seqc_lr_boundaries", "%s", nb ? list : "0");
    at = 0;
    for (int i = 0; i <= nb; i++)
        at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", num(nb ? o->values[i] : m->lr));
    def(f, "seqc_lr_values", "%s", list);
}

/* fit(): validation_split, class_weight as two parallel C initializers
 * (one dummy entry when there is none), and each callback as an
 * initializer in runtime/rt.h's rt_callback order (templates/api.m4). */
static void emit_fit(FILE *f, const gen_model *m)
{
    static const char *const keys[GEN_CB_COUNT] = {"seqc_cb_es", "seqc_cb_rlr", "seqc_cb_mc"};
    const gen_fit *fit = &m->fit;
    char cls[1024] = "0", val[2048] = "1";
    size_t a = 0, b = 0;
    def(f, "seqc_validation_split", "%s", num(fit->validation_split));
    def(f, "seqc_n_class_weights", "%d", fit->n_class_weights);
    for (int i = 0; i < fit->n_class_weights; i++) {
        a += (size_t)snprintf(cls + a, sizeof cls - a, "%s%d", i ? ", " : "", fit->cw_class[i]);
        b += (size_t)snprintf(val + b, sizeof val - b, "%s%s", i ? ", " : "", num(fit->cw_weight[i]));
    }
    def(f, "seqc_cw_classes", "%s", cls);
    def(f, "seqc_cw_values", "%s", val);
    for (int i = 0; i < GEN_CB_COUNT; i++) {
        const gen_callback *cb = &fit->cb[i];
        def(f, keys[i], "%d, %d, %d, %d, %d, %d, %d, %d, %s, %s, %s, %s", cb->on, cb->monitor, cb->mode,
            cb->patience, cb->cooldown, cb->start_from_epoch, cb->flag, cb->has_baseline,
            num(cb->min_delta), num(cb->baseline), num(cb->factor), num(cb->min_lr));
    }
    def(f, "seqc_cb_filepath", "%s", fit->filepath);
}

/* A normalization layer's mean and variance from the spec, broadcast to
 * its features: float literals, each followed by a comma. */
static void norm_consts(FILE *f, const gen_layer *l)
{
    const int nf = l->norm_all ? 1 : l->ic;
    for (int k = 0; k < 2; k++)
        for (int j = 0; j < nf; j++)
            fprintf(f, "%sf, ", fnum((k ? l->given_var : l->given_mean)[l->n_given == 1 ? 0 : j]));
}

static void emit_model(FILE *f, const gen_model *m)
{
    def(f, "seqc_model", "%s", m->name);
    def(f, "seqc_MODEL", "%s", m->upper);
    def(f, "seqc_n_layers", "%d", m->n_layers);
    def(f, "seqc_n_tensors", "%d", m->n_tensors);
    def(f, "seqc_n_params", "%ld", m->n_params);
    def(f, "seqc_n_act", "%ld", m->n_act);
    def(f, "seqc_n_in", "%ld", m->n_in);
    def(f, "seqc_in_h", "%d", m->in_h);
    def(f, "seqc_in_w", "%d", m->in_w);
    def(f, "seqc_in_c", "%d", m->in_c);
    def(f, "seqc_in_rank", "%d", m->layers[0].rank);
    def(f, "seqc_n_classes", "%d", m->n_classes);
    def(f, "seqc_n_out", "%d", m->n_out);
    def(f, "seqc_n_targets", "%d", m->n_targets);
    def(f, "seqc_task", "%d", m->task);
    def(f, "seqc_out_act", "%d", m->out_act);
    def(f, "seqc_loss", "%d", (int)m->loss.kind);
    def(f, "seqc_loss_name", "%s", gen_loss_name(m->loss.kind));
    def(f, "seqc_from_logits", "%d", m->loss.from_logits);
    def(f, "seqc_label_smoothing", "%s", fnum(m->loss.label_smoothing));
    def(f, "seqc_huber_delta", "%s", fnum(m->loss.delta));
    def(f, "seqc_targets_inputs", "%d", m->targets_inputs);
    def(f, "seqc_logits_off", "%ld", m->layers[m->n_layers - 1].out_off);
    def(f, "seqc_n_dact", "%ld", m->n_dact);
    def(f, "seqc_scr_off", "%ld", m->scr_off);
    def(f, "seqc_dscr_off", "%ld", m->dscr_off);
    def(f, "seqc_dlogits_off", "%ld", m->layers[m->n_layers - 1].dout_off);
    def(f, "seqc_max_oc", "%d", m->max_oc);
    def(f, "seqc_act_bytes", "%ld", m->act_bytes_infer);
    def(f, "seqc_x_arena", "%ld", m->x_arena);
    def(f, "seqc_batch_size", "%d", m->batch_size);
    def(f, "seqc_epochs", "%d", m->epochs);
    def(f, "seqc_seed", "%lu", m->seed);
    def(f, "seqc_lr", "%s", num(m->lr));
    def(f, "seqc_beta_1", "%s", num(m->beta_1));
    def(f, "seqc_beta_2", "%s", num(m->beta_2));
    def(f, "seqc_epsilon", "%s", num(m->epsilon));
    emit_optim(f, m);
    emit_fit(f, m);
    def(f, "seqc_data_dir", "%s", m->data_dir);
    def(f, "seqc_n_trainable", "%ld", m->n_trainable);
    def(f, "seqc_n_consts", "%ld", m->n_consts);
    /* all of them in layer order: an exported model keeps them after its weights */
    fputs("m4_define(\xc2\xabseqc_consts\xc2\xbb, \xc2\xab", f);
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].kind->id == GEN_NORMALIZATION && m->layers[i].n_given)
            norm_consts(f, &m->layers[i]);
    fputs("\xc2\xbb)\n", f);
    def(f, "seqc_n_bn", "%d", m->n_bn);
    def(f, "seqc_n_stats", "%ld", m->n_stats);
    def(f, "seqc_has_reg", "%d", m->has_reg);
}

static void emit_layer(FILE *f, const gen_model *m, int i)
{
    const gen_layer *l = &m->layers[i];
    char key[64];
#define L(field, fmt, value) \
    (snprintf(key, sizeof key, "seqc_L%d_%s", i, field), def(f, key, fmt, value))
    L("kind", "%s", l->kind->name);
    /* a frozen batch norm runs in inference mode, training too (Keras 3) */
    L("stem", "%s", l->frozen && l->kind->id == GEN_BATCHNORM ? "batch_norm_frozen" : l->kind->stem);
    L("frozen", "%d", l->frozen);
    L("keras", "%s", l->kind->keras);
    L("name", "%s", l->name);
    L("ih", "%d", l->ih); L("iw", "%d", l->iw); L("ic", "%d", l->ic);
    L("oh", "%d", l->oh); L("ow", "%d", l->ow); L("oc", "%d", l->oc);
    L("kh", "%d", l->kh); L("kw", "%d", l->kw);
    L("sh", "%d", l->sh); L("sw", "%d", l->sw);
    L("pt", "%d", l->pt); L("pb", "%d", l->pb); L("pl", "%d", l->pl); L("pr", "%d", l->pr);
    L("padded", "%d", l->pt || l->pb || l->pl || l->pr);
    L("in_size", "%ld", l->in_size); L("out_size", "%ld", l->out_size);
    L("in_off", "%ld", l->in_off); L("out_off", "%ld", l->out_off);
    L("mask_off", "%ld", l->mask_off);
    L("din_off", "%ld", l->din_off); L("dout_off", "%ld", l->dout_off);
    L("dmid_off", "%ld", l->dmid_off);
    L("relu_fused", "%d", l->relu_fused);
    L("relu_scr", "%d", l->relu_scr); L("in_scr", "%d", l->in_scr);
    L("w_off", "%ld", l->w_off); L("w_size", "%ld", l->w_size);
    L("b_off", "%ld", l->b_off); L("b_size", "%ld", l->b_size);
    L("params", "%ld", l->w_size + l->b_size);
    L("bias", "%d", l->b_size > 0);
    L("need_din", "%d", l->need_din);
    L("act", "%s", gen_act_name((gen_act)l->act_code));
    L("max", "%d", l->kind->id == GEN_MAXPOOL || l->kind->id == GEN_MAXPOOL1D ||
                   l->kind->id == GEN_GMP2D || l->kind->id == GEN_GMP1D);
    L("dh", "%d", l->dh); L("dw", "%d", l->dw); L("dm", "%d", l->dm);
    L("p_off", "%ld", l->p_off); L("p_size", "%ld", l->p_size);
    L("bn", "%d", l->bn); L("stat_off", "%ld", l->stat_off);
    L("momentum", "%s", fnum(l->momentum)); L("eps", "%s", fnum(l->eps));
    L("center", "%d", l->center); L("scale", "%d", l->scale);
    L("alpha", "%s", fnum(l->alpha));
    L("act_max", "%s", fnum(l->act_max)); L("has_max", "%d", l->act_max >= 0.0);
    L("act_thr", "%s", fnum(l->act_thr));
    L("x_mid", "%ld", l->x_mid);
    L("zx", "%d", l->zx); L("z_off", "%ld", l->z_off);
    L("in_rank", "%d", l->in_rank); L("out_rank", "%d", l->out_rank);
    L("rate", "%s", fnum(l->rate));
    L("keep_scale", "%s", fnum(l->keep_scale));
    L("x_in", "%ld", l->x_in);
    L("x_out", "%ld", l->x_out);
    L("ob", "%d", l->ob);
    L("cbw", "%d", l->cbw);
    L("cbd", "%d", l->cbd);
    L("obx", "%d", l->obx);
    L("cbp", "%d", l->cbp);
    if (l->kind->id == GEN_NORMALIZATION) {   /* templates/normalization.m4 */
        L("norm_f", "%d", l->norm_all ? 1 : l->ic);
        L("norm_fixed", "%d", l->n_given > 0);
        L("norm_invert", "%d", l->invert);
        L("norm_coff", "%ld", l->c_off);
        if (l->n_given) {
            fprintf(f, "m4_define(\xc2\xabseqc_L%d_norm_stats\xc2\xbb, \xc2\xab", i);
            norm_consts(f, l);
            fputs("\xc2\xbb)\n", f);
        }
    }
#undef L
}

static void emit_tensor(FILE *f, const gen_model *m, int i)
{
    const gen_tensor *t = &m->tensors[i];
    char key[64];
#define T(field, fmt, value) \
    (snprintf(key, sizeof key, "seqc_T%d_%s", i, field), def(f, key, fmt, value))
    T("name", "%s", t->name);
    T("rank", "%d", t->rank);
    for (int d = 0; d < 4; d++) {
        char field[16];
        snprintf(field, sizeof field, "d%d", d);
        T(field, "%d", d < t->rank ? t->dims[d] : 0);
    }
    T("off", "%ld", t->off);
    T("size", "%ld", t->size);
    T("init", "%d", t->init);
    T("trainable", "%d", t->trainable);
    T("l1", "%s", fnum(t->reg.l1));
    T("l2", "%s", fnum(t->reg.l2));
    T("reg", "%d", t->reg.l1 > 0.0 || t->reg.l2 > 0.0);
    T("limit", "%s", num(t->limit));
#undef T
}

int gen_emit(const gen_model *m, const char *out_path)
{
    gen_mark top = {1, 1};
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out_path, (long)getpid()) >= (int)sizeof tmp) {
        gen_error(m->path, top, "output path too long");
        return -1;
    }
    FILE *f = fopen(tmp, "w");
    if (!f) {
        gen_error(m->path, top, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    fputs("m4_divert(-1)m4_dnl generated by seqc: data only, the C text is in templates/\n", f);
    emit_model(f, m);
    for (int i = 0; i < m->n_layers; i++)
        emit_layer(f, m, i);
    for (int i = 0; i < m->n_tensors; i++)
        emit_tensor(f, m, i);
    fputs("m4_divert(0)m4_dnl\n", f);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, out_path) != 0) {
        gen_error(m->path, top, "cannot write %s: %s", out_path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}
