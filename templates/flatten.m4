m4_divert(-1)
m4_dnl flatten.m4 - Flatten is a view: NHWC [h][w][c] is already row-major
m4_dnl (h, w, c), so the output shares the input's buffer and no code runs.

m4_define(«seqc_flatten_forward», «
/* seqc_name: Flatten, a view of seqc_shape_in as seqc_shape_out; no code */
»)
m4_define(«seqc_flatten_backward», «»)
m4_define(«seqc_flatten_fcall», «
    /* seqc_name: a view, nothing to do */»)
m4_define(«seqc_flatten_bcall», «
    /* seqc_name: a view, nothing to do */»)
m4_divert(0)m4_dnl
