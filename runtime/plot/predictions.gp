# predictions.gp - a 5x5 grid of test images with their predicted and true
# labels as a PNG; mistakes get a red title and a red frame.
#
#   gnuplot -e "model='seed'; predictions='out/seed.predictions'; out='out/seed-predictions.png'" \
#           runtime/plot/predictions.gp
#
# predictions is the file rt_report_predictions() writes (runtime/report.h):
#   index 0          one row per image: image pred true
#   index k (1..N)   image k-1 as a text matrix of pixels 0..255, top row first
# (blocks separated by two blank lines, '#' comments).  At most 25 images
# are drawn, five to a row.  Needs gnuplot >= 5.2 (arrays)
# with the pngcairo terminal (Debian: gnuplot-nox).

if (!exists("predictions")) { print "predictions.gp: set predictions='FILE' with -e"; exit status 2 }
if (!exists("out")) { print "predictions.gp: set out='FILE.png' with -e"; exit status 2 }
if (!exists("model")) { model = "model" }

# The label table (index 0): count, then pred and true of every image.
stats predictions index 0 using 1 nooutput
count = STATS_records < 25 ? STATS_records : 25
array P[count]
array T[count]
stats predictions index 0 using (i = int($1) + 1, (i >= 1 && i <= count ? (P[i] = int($2), T[i] = int($3)) : 0), 0) nooutput
wrong = 0
do for [i = 1:count] { wrong = wrong + (P[i] != T[i]) }

ok_c = "#222222"
bad_c = "#d62728"

# 5 columns; as many rows as needed (a full grid is 5x5).  Pixel budget:
# a 96 px title band, 164 px cells, 51 px between rows for each cell's title.
rows = int((count + 4) / 5)
H = 96 + rows * 164 + (rows - 1) * 51 + 11
set terminal pngcairo size 1000,H enhanced font "DejaVu Sans,15"
set output out

# white paper, dark ink
set palette defined (0 "white", 1 "#101010")
set cbrange [0:255]
unset colorbox
unset key
unset tics
set autoscale xfix
set autoscale yfix
set yrange [*:*] reverse   # first matrix row at the top
set size ratio -1

sub = count == 1 ? "1 test image" : sprintf("%d test images", count)
mis = wrong == 0 ? "no mistakes" : sprintf("{/:Bold %d wrong} (red)", wrong)
set multiplot layout rows,5 \
    title sprintf("{/:Bold %s}: predictions on %s, %s", model, sub, mis) font ",18" \
    margins 0.02, 0.98, 11.0 / H, 1 - 96.0 / H spacing 0.03, 51.0 / H

do for [i = 1:count] {
    if (P[i] == T[i]) {
        set border 15 lw 1 lc rgb "#bbbbbb"
        set title sprintf("pred %d / true %d", P[i], T[i]) tc rgb ok_c font ",15" offset 0,-0.4
    } else {
        set border 15 lw 5 lc rgb bad_c
        set title sprintf("{/:Bold pred %d / true %d}", P[i], T[i]) tc rgb bad_c font ",15" offset 0,-0.4
    }
    plot predictions index i matrix with image notitle
}

unset multiplot
set output
