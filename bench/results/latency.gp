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
"spillway recv, unpinned, CPU 97%" 812 1344 11922 5979655
"moodycamel wait_dequeue, unpinned, CPU 87%" 829 1646 71335 7126481
"mutex+condvar, unpinned, CPU 30%" 100676 243980 527876 3501298
"spillway try_recv spin, unpinned, CPU 94%" 582 1054 9356 8020488
"moodycamel try_dequeue spin, unpinned, CPU 99%" 702 1557 6606 2191133
"spillway recv, pinned, CPU 98%" 748 1301 9888 2368206
"moodycamel wait_dequeue, pinned, CPU 86%" 816 1853 72225 2520650
"mutex+condvar, pinned, CPU 33%" 92103 243629 657529 2480164
"spillway try_recv spin, pinned, CPU 98%" 644 1245 27590 6216637
"moodycamel try_dequeue spin, pinned, CPU 99%" 819 1980 8135 3769368
EOD
$oneway1 << EOD
"spillway recv, unpinned, CPU 99%" 1922 666814 3986577 4473857
"moodycamel wait_dequeue, unpinned, CPU 42%" 34593 844056 2360425 2743440
"mutex+condvar, unpinned, CPU 25%" 35946 4063724 8275059 8741549
"spillway try_recv spin, unpinned, CPU 100%" 2079 129515 2341015 2796206
"moodycamel try_dequeue spin, unpinned, CPU 100%" 3144 789094 2886626 3185733
"spillway recv, pinned, CPU 99%" 2290 156948 2043621 2528056
"moodycamel wait_dequeue, pinned, CPU 42%" 34901 2063966 3540909 3830159
"mutex+condvar, pinned, CPU 25%" 35528 1215102 2732942 3193924
"spillway try_recv spin, pinned, CPU 99%" 2031 1024529 2486473 2889252
"moodycamel try_dequeue spin, pinned, CPU 100%" 2989 486412 2397661 2713256
EOD
set multiplot layout 2,1
set title 'Ping-pong round trip'
plot $pingpong0 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
set title 'One-way latency at 1.00 M msg/s offered, bursts every 50 us (receive - intended send time; sender waits by spinning)'
plot $oneway1 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
unset multiplot
