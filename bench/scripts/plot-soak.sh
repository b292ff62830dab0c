#!/usr/bin/env bash
# Plots a soak's time series (rill-load --soak --soak-out FILE.csv) to a PNG: memory of the
# server and of Redis on top, delivery latency below, both over the run's minutes.
#
#   bench/scripts/plot-soak.sh soak.csv soak.png ["title"]
#
# Needs gnuplot (Debian: gnuplot-nox). Plotting is manual; CI does not need it.
set -euo pipefail
csv=${1:?usage: plot-soak.sh soak.csv soak.png [title]}
png=${2:?usage: plot-soak.sh soak.csv soak.png [title]}
title=${3:-rill-server soak}
command -v gnuplot >/dev/null || { echo "gnuplot is needed (apt-get install gnuplot-nox)" >&2; exit 1; }
gnuplot <<GP
set datafile separator ","
set terminal png size 1000,800 font ",11"
set output "$png"
set multiplot layout 2,1 title "$title"
set key top left
set grid
set xlabel "minutes"
set ylabel "RSS (MiB)"
set yrange [0:*]
plot "$csv" using (\$1/60):13 skip 1 with linespoints pt 7 ps 0.5 title "rill-server RSS", \
     "" using (\$1/60):16 skip 1 with linespoints pt 7 ps 0.5 title "redis-server RSS"
set ylabel "delivery latency (ms)"
set yrange [0:*]
plot "$csv" using (\$1/60):4 skip 1 with linespoints pt 7 ps 0.5 title "p50", \
     "" using (\$1/60):6 skip 1 with linespoints pt 7 ps 0.5 title "p99", \
     "" using (\$1/60):7 skip 1 with lines title "p99.9"
unset multiplot
GP
echo "wrote $png"
