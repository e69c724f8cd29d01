# history.gp - training history of one seqc model as a PNG: loss (left) and
# accuracy (right) per epoch, training and validation.
#
#   gnuplot -e "model='seed'; csv='out/seed.csv'; out='out/seed-history.png'" \
#           runtime/plot/history.gp
#
# csv is the trainer's `train --log FILE.csv`:
#   epoch,seconds,loss,accuracy,val_loss,val_accuracy
# with one row per epoch; val_* are empty when there was no labeled test set
# (only the training curves are drawn then).  Needs gnuplot >= 5.0 with the
# pngcairo terminal (Debian: gnuplot-nox).

if (!exists("csv")) { print "history.gp: set csv='FILE.csv' with -e"; exit status 2 }
if (!exists("out")) { print "history.gp: set out='FILE.png' with -e"; exit status 2 }
if (!exists("model")) { model = "model" }

set datafile separator comma
set datafile missing ""

# Epoch count, the best validation accuracy and whether there is any
# validation data at all (columns 5 and 6 empty in every row otherwise).
stats csv using 1 nooutput
epochs = STATS_max
has_val = 0
best_acc = 0; best_epoch = 0
stats csv using (valid(6) ? (has_val = 1, ($6 > best_acc ? (best_acc = $6, best_epoch = $1) : 0), $6) : 0) nooutput

set terminal pngcairo size 1400,560 enhanced font "DejaVu Sans,14" linewidth 1.5
set output out

train_c = "#1f77b4"
val_c = "#d62728"

set style line 1 lc rgb train_c lw 2.5 pt 7 ps 1.1
set style line 2 lc rgb val_c lw 2.5 pt 5 ps 1.1
set style line 9 lc rgb "#dddddd" lw 1 dt 1
set grid xtics ytics ls 9
set border 3 lw 1.2
set tics nomirror out
set key top right box opaque spacing 1.3 samplen 2.5

# integer epochs; at most ~12 tic marks
set xrange [1 - 0.03 * (epochs + 8) : epochs + 0.03 * (epochs + 8)]
# a tic on every epoch up to 12 epochs, else on 1 and on multiples of a
# round step (2, 5, 10, 20, 50, ...); points on at most ~30 epochs
raw = epochs / 12.0
mag = 10 ** floor(log10(raw > 1 ? raw : 1))
step = epochs <= 12 ? 1 : (raw <= mag ? mag : raw <= 2 * mag ? 2 * mag : raw <= 5 * mag ? 5 * mag : 10 * mag)
if (step == 1) {
    set xtics 1, 1
} else {
    set xtics step, step
    set xtics add ("1" 1)
}
set mxtics 1
pi = epochs <= 30 ? 1 : ceil(epochs / 30.0)
set style line 1 pi pi
set style line 2 pi pi
set xlabel "epoch"

set multiplot layout 1,2 title sprintf("{/:Bold %s}: training history, %d epoch%s", model, epochs, epochs == 1 ? "" : "s") font ",17"

set title "loss" font ",15"
set ylabel "cross-entropy loss"
set yrange [0:*]
set format y "%.2f"
if (has_val) {
    plot csv using 1:3 with linespoints ls 1 title "training", \
         ''  using 1:5 with linespoints ls 2 title "validation"
} else {
    plot csv using 1:3 with linespoints ls 1 title "training"
}

set title "accuracy" font ",15"
set ylabel "accuracy"
set yrange [*:1]
set format y "%.3f"
set key bottom right
if (has_val) {
    set label 1 sprintf("best validation %.4f (epoch %d)", best_acc, best_epoch) \
        at graph 0.98, graph 0.30 right font ",12" tc rgb val_c front
    set object 1 circle at best_epoch, best_acc size char 0.9 \
        fs empty border lc rgb val_c lw 1.5 front
    plot csv using 1:4 with linespoints ls 1 title "training", \
         ''  using 1:6 with linespoints ls 2 title "validation"
} else {
    plot csv using 1:4 with linespoints ls 1 title "training"
}

unset multiplot
set output
