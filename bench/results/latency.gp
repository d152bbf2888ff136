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
"spillway recv, unpinned, CPU 97%" 681 1230 5185 4284066
"moodycamel wait_dequeue, unpinned, CPU 61%" 769 63868 122791 2805362
"mutex+condvar, unpinned, CPU 30%" 89862 194859 370038 1699679
"spillway try_recv spin, unpinned, CPU 97%" 564 999 9109 8006068
"moodycamel try_dequeue spin, unpinned, CPU 99%" 654 1712 9302 2983353
"spillway recv, pinned, CPU 98%" 676 1079 6680 3126952
"moodycamel wait_dequeue, pinned, CPU 68%" 794 49069 112386 2528251
"mutex+condvar, pinned, CPU 35%" 87546 180653 444445 2069694
"spillway try_recv spin, pinned, CPU 99%" 572 821 8013 3693707
"moodycamel try_dequeue spin, pinned, CPU 99%" 753 1775 9484 4213805
EOD
$oneway1 << EOD
"spillway recv, unpinned, CPU 98%" 1872 851570 4167201 4654905
"moodycamel wait_dequeue, unpinned, CPU 40%" 31987 392786 2133652 2605442
"mutex+condvar, unpinned, CPU 26%" 36066 1547314 2993271 3280234
"spillway try_recv spin, unpinned, CPU 99%" 1616 4712673 7522758 8009169
"moodycamel try_dequeue spin, unpinned, CPU 99%" 3100 595478 3090047 3557520
"spillway recv, pinned, CPU 98%" 2046 891733 4201518 4687947
"moodycamel wait_dequeue, pinned, CPU 40%" 30833 132807 1139940 1611097
"mutex+condvar, pinned, CPU 26%" 35078 511409 1824654 2274190
"spillway try_recv spin, pinned, CPU 100%" 1525 145463 2325815 2810575
"moodycamel try_dequeue spin, pinned, CPU 99%" 3208 1091789 2422887 2750900
EOD
set multiplot layout 2,1
set title 'Ping-pong round trip'
plot $pingpong0 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
set title 'One-way latency at 1.00 M msg/s offered, bursts every 50 us (receive - intended send time; sender waits by spinning)'
plot $oneway1 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
unset multiplot
