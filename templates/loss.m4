m4_divert(-1)
m4_dnl loss.m4 - the loss of the spec (seqc_loss, gen/ir.h's order), its
m4_dnl gradient with respect to the last layer's values, and the metric the
m4_dnl trainer prints per epoch.  Formulas and sources: SEMANTICS.md, "Losses".
m4_dnl
m4_dnl Each body below sees one real sample: zs[k * V] its last-layer values
m4_dnl (logits when the loss applies softmax or sigmoid itself), y its
m4_dnl seqc_n_targets targets, dz (or NULL) where dL/dz goes, g = its weight
m4_dnl times scale; it sets l (the sample's loss) and m (its metric: 1 for a
m4_dnl right class, the share of right labels, or the mean absolute error).

m4_dnl seqc_smooth(Y, K): Keras's label_smoothing of one target.
m4_define(«seqc_smooth», «m4_ifelse(seqc_label_smoothing, «0.0», «$1»,
«($1 * (1.0f - seqc_label_smoothing«»f) + seqc_label_smoothing«»f / $2)»)»)

m4_dnl logsumexp of the logits, as the one-label loss always computed it
m4_define(«_seqc_lse», «int best = 0;
        for (int k = 1; k < seqc_n_out; k++)
            if (zs[k * seqc_V] > zs[best * seqc_V])
                best = k;
        const float top = zs[best * seqc_V];
        float sum = 0.0f;
        for (int k = 0; k < seqc_n_out; k++)
            sum += expf(zs[k * seqc_V] - top);»)

m4_dnl 0: sparse_categorical_crossentropy, the label y[0] a class index
m4_define(«_seqc_loss_0», «_seqc_lse
        const int label = (int)y[0];
        l = top + logf(sum) - zs[label * seqc_V];
        m = best == label;
        for (int k = 0; dz && k < seqc_n_out; k++)
            dz[k * seqc_V] = (expf(zs[k * seqc_V] - top) / sum - (k == label ? 1.0f : 0.0f)) * g;»)

m4_dnl 1: categorical_crossentropy, one-hot or soft targets:
m4_dnl l = sum_k t_k (lse - z_k), dz_k = p_k sum(t) - t_k
m4_define(«_seqc_loss_1», «_seqc_lse
        const float lse = top + logf(sum);
        float tsum = 0.0f;
        int want = 0;
        l = 0.0f;
        for (int k = 0; k < seqc_n_out; k++) {
            const float t = seqc_smooth(«y[k]», «seqc_n_out»);
            l += t * (lse - zs[k * seqc_V]);
            tsum += t;
            want = y[k] > y[want] ? k : want;
        }
        m = best == want;
        for (int k = 0; dz && k < seqc_n_out; k++)
            dz[k * seqc_V] = (expf(zs[k * seqc_V] - top) / sum * tsum - seqc_smooth(«y[k]», «seqc_n_out»)) * g;»)

m4_dnl 2: binary_crossentropy from the logits, mean over the outputs:
m4_dnl max(z, 0) - z t + log(1 + exp(-|z|)), dz = (sigmoid(z) - t) / K
m4_define(«_seqc_loss_2», «l = 0.0f;
        m = 0.0;
        for (int k = 0; k < seqc_n_out; k++) {
            const float z = zs[k * seqc_V], t = seqc_smooth(«y[k]», «2.0f»);
            const float p = seqc_sigmoid(«z»);
            l += fmaxf(z, 0.0f) - z * t + log1pf(expf(-fabsf(z)));
            m += (p > 0.5f) == (y[k] > 0.5f);
            if (dz)
                dz[k * seqc_V] = (p - t) * (g / seqc_n_out.0f);
        }
        l /= seqc_n_out.0f;
        m /= seqc_n_out;»)

m4_dnl 3-5: mean_squared_error, mean_absolute_error, huber: e = out - t,
m4_dnl mean over the outputs; the metric is the mean absolute error
m4_define(«_seqc_loss_reg», «l = 0.0f;
        m = 0.0;
        for (int k = 0; k < seqc_n_out; k++) {
            const float e = zs[k * seqc_V] - y[k], a = fabsf(e);
            float d;
            $1
            m += a;
            if (dz)
                dz[k * seqc_V] = d * (g / seqc_n_out.0f);
        }
        l /= seqc_n_out.0f;
        m /= seqc_n_out;»)
m4_define(«_seqc_loss_3», «_seqc_loss_reg(«l += e * e;
            d = 2.0f * e;»)»)
m4_define(«_seqc_loss_4», «_seqc_loss_reg(«l += a;
            d = (float)((e > 0.0f) - (e < 0.0f));»)»)
m4_define(«_seqc_loss_5», «_seqc_loss_reg(«const float delta = seqc_huber_delta«»f;
            l += a <= delta ? 0.5f * e * e : delta * a - 0.5f * delta * delta;
            d = a <= delta ? e : delta * (float)((e > 0.0f) - (e < 0.0f));»)»)

m4_define(«seqc_loss_def», «
/* seqc_loss_name«»m4_ifelse(seqc_from_logits, 1, « (from_logits)»)m4_ifelse(seqc_label_smoothing, «0.0», «», «, label_smoothing seqc_label_smoothing«»»)m4_ifelse(seqc_loss, 5, «, delta seqc_huber_delta«»»):
 * Keras's loss of each sample, summed; weighted by weights[s] if given.
 * Lanes past n get a zero gradient, so padding never reaches the
 * parameters. */
double seqc_model«»_loss(const float *act, const float *targets, const float *weights, int n,
    float scale, float *dact, double *metric)
{
    const int nb = (n + m4_eval(seqc_V - 1)) / seqc_V;
    const long np = (long)nb * seqc_V;
    const float *z = act + seqc_logits_off«»L * np;
    double total = 0.0, msum = 0.0;
    for (int sample = 0; sample < nb * seqc_V; sample++) {
        const long base = (long)(sample / seqc_V) * m4_eval(seqc_n_out * seqc_V) + sample % seqc_V;
        float *dz = dact ? dact + seqc_dlogits_off«»L * np + base : NULL;
        if (sample >= n) {
            for (int k = 0; dz && k < seqc_n_out; k++)
                dz[k * seqc_V] = 0.0f;
            continue;
        }
        const float *zs = z + base, *y = targets + (long)sample * seqc_n_targets;
        const float w = weights ? weights[sample] : 1.0f, g = w * scale;
        float l;
        double m;
        m4_indir(«_seqc_loss_»seqc_loss)
        total += (double)(w * l);
        msum += m;
    }
    if (metric)
        *metric += msum;
    return total;
}
»)
m4_divert(0)m4_dnl
