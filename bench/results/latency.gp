# Written by bench/latency.c. Run it from this folder: gnuplot latency.gp
set terminal pngcairo size 1100,1280
set termoption noenhanced
set output 'latency.png'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set logscale y 10
set yrange [1e-8:*]
set format y '%.0s %cs'
set ylabel 'latency (median over repetitions)'
set grid ytics
set key outside top center horizontal
set xtics rotate by -35 scale 0 font ',9'
set bmargin 12
set rmargin 22
$pingpong0 << EOD
"spillway recv, unpinned, CPU 98%" 800 1234 7330 1975136
"moodycamel wait_dequeue, unpinned, CPU 88%" 943 2525 90338 2873741
"mutex+condvar, unpinned, CPU 28%" 98639 340319 1449774 3349626
"spillway try_recv spin, unpinned, CPU 97%" 597 1080 4393 8019358
"moodycamel try_dequeue spin, unpinned, CPU 99%" 803 1971 6041 3964289
"spillway recv, pinned, CPU 99%" 819 1210 7145 2399941
"moodycamel wait_dequeue, pinned, CPU 77%" 985 2575 115913 8062401
"mutex+condvar, pinned, CPU 27%" 106265 406322 1369667 5641496
"spillway try_recv spin, pinned, CPU 99%" 639 870 3972 3644301
"moodycamel try_dequeue spin, pinned, CPU 98%" 892 2017 5300 4425166
EOD
$oneway1 << EOD
"spillway recv, unpinned, CPU 99%" 1979 312717 2239666 2724866
"moodycamel wait_dequeue, unpinned, CPU 41%" 39877 6237217 9552587 10019153
"mutex+condvar, unpinned, CPU 25%" 39018 3693294 4860806 5276200
"spillway try_recv spin, unpinned, CPU 100%" 1788 93967 2252168 2725615
"moodycamel try_dequeue spin, unpinned, CPU 100%" 3527 79510 1243079 1714141
"spillway recv, pinned, CPU 98%" 2052 294517 2634204 3116567
"moodycamel wait_dequeue, pinned, CPU 42%" 36641 4844239 8420734 8880206
"mutex+condvar, pinned, CPU 26%" 41403 306598 2292562 2765451
"spillway try_recv spin, pinned, CPU 99%" 1807 759433 2605185 2849358
"moodycamel try_dequeue spin, pinned, CPU 99%" 3448 729538 2577968 2804330
EOD
set multiplot layout 2,1
set title 'Ping-pong round trip'
plot $pingpong0 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
set title 'One-way latency at 1.00 M msg/s offered, bursts every 50 us (receive - intended send time; sender waits by spinning)'
plot $oneway1 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
unset multiplot
