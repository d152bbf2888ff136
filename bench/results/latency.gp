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
$pingpong << EOD
"spillway recv, unpinned, CPU 89%" 671 3012 30569 2326761
"moodycamel wait_dequeue, unpinned, CPU 81%" 759 1709 70728 4637722
"mutex+condvar, unpinned, CPU 34%" 64456 160072 835237 1677887
"spillway try_recv spin, unpinned, CPU 97%" 699 1034 12089 8012737
"moodycamel try_dequeue spin, unpinned, CPU 98%" 682 1630 5689 4118609
"spillway recv, pinned, CPU 92%" 680 1249 18166 2548899
"moodycamel wait_dequeue, pinned, CPU 84%" 820 1882 79015 1764648
"mutex+condvar, pinned, CPU 35%" 62651 173078 1013151 2864689
"spillway try_recv spin, pinned, CPU 98%" 697 961 9526 3776796
"moodycamel try_dequeue spin, pinned, CPU 97%" 718 1663 6762 3960959
EOD
$oneway << EOD
"spillway recv, unpinned, CPU 86%" 37591 596725 1868077 2355681
"moodycamel wait_dequeue, unpinned, CPU 35%" 61348 714301 1552563 1782580
"mutex+condvar, unpinned, CPU 21%" 68731 654134 1484019 1959834
"spillway try_recv spin, unpinned, CPU 99%" 31760 1616975 3151957 3592505
"moodycamel try_dequeue spin, unpinned, CPU 100%" 32670 309477 1351019 1826269
"spillway recv, pinned, CPU 87%" 37628 525174 1505003 1975047
"moodycamel wait_dequeue, pinned, CPU 35%" 59031 632890 1842591 2304146
"mutex+condvar, pinned, CPU 22%" 58988 626334 2010709 2373976
"spillway try_recv spin, pinned, CPU 100%" 33063 1177405 2610593 2837967
"moodycamel try_dequeue spin, pinned, CPU 100%" 32488 681595 2817778 3291888
EOD
set multiplot layout 2,1
set title 'Ping-pong round trip'
plot $pingpong using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
set title 'One-way latency at 1.00 M msg/s offered, bursts every 50 us (receive - intended send time)'
plot $oneway using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
unset multiplot
