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
"spillway recv, unpinned, CPU 96%" 816 1303 9669 4106837
"moodycamel wait_dequeue, unpinned, CPU 88%" 838 1645 75838 3727107
"mutex+condvar, unpinned, CPU 30%" 102337 326140 1048708 4651963
"spillway try_recv spin, unpinned, CPU 98%" 623 994 17960 7982821
"moodycamel try_dequeue spin, unpinned, CPU 99%" 768 1721 15330 2651799
"spillway recv, pinned, CPU 97%" 832 1292 10225 6066137
"moodycamel wait_dequeue, pinned, CPU 87%" 849 1891 72269 6735625
"mutex+condvar, pinned, CPU 31%" 100715 290617 1215139 2960212
"spillway try_recv spin, pinned, CPU 99%" 644 947 2965 7622132
"moodycamel try_dequeue spin, pinned, CPU 99%" 740 1772 7567 3748534
EOD
$oneway1 << EOD
"spillway recv, unpinned, CPU 95%" 2147 3221111 4577214 5061616
"moodycamel wait_dequeue, unpinned, CPU 41%" 36322 2698123 5115680 5574915
"mutex+condvar, unpinned, CPU 26%" 40042 1985854 3591170 4054732
"spillway try_recv spin, unpinned, CPU 100%" 2138 483509 2152442 2531269
"moodycamel try_dequeue spin, unpinned, CPU 100%" 3319 3961024 8081425 8550004
"spillway recv, pinned, CPU 98%" 1986 543974 2596119 3077247
"moodycamel wait_dequeue, pinned, CPU 43%" 30705 467877 2299290 2720385
"mutex+condvar, pinned, CPU 25%" 37987 3873511 8074745 8491998
"spillway try_recv spin, pinned, CPU 100%" 2104 1113138 3826741 4309413
"moodycamel try_dequeue spin, pinned, CPU 100%" 3417 417762 2360124 2758404
EOD
set multiplot layout 2,1
set title 'Ping-pong round trip'
plot $pingpong0 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
set title 'One-way latency at 1.00 M msg/s offered, bursts every 50 us (receive - intended send time; sender waits by spinning)'
plot $oneway1 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
unset multiplot
