m4_dnl tail.m4 - read after NAME.defs.m4 to make NAME.tail.c: the same model
m4_dnl under the prefix NAME_tail, built with fewer lanes (-Dseqc_V=TAIL_V).
m4_dnl The trainer runs a batch's last chunk on it when that chunk holds at
m4_dnl most TAIL_V samples (runtime/train.c), instead of padding it to a
m4_dnl block of V: batch 100 is 6 blocks of 16 and a tail of 4.
m4_define(«seqc_file», seqc_model«.tail»)m4_dnl   (the files' name, for their comments)
m4_define(«seqc_tail_build», 1)m4_dnl
m4_define(«seqc_model», seqc_model«_tail»)m4_dnl
m4_define(«seqc_MODEL», seqc_MODEL«_TAIL»)m4_dnl
