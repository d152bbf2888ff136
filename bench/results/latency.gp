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
"spillway recv, unpinned, CPU 98%" 837 1209 8215 3847537
"moodycamel wait_dequeue, unpinned, CPU 74%" 773 1671 98010 2800226
"mutex+condvar, unpinned, CPU 34%" 94187 277354 792538 2425782
"spillway try_recv spin, unpinned, CPU 93%" 655 974 6447 8030780
"moodycamel try_dequeue spin, unpinned, CPU 99%" 867 2034 18583 2140559
"spillway recv, pinned, CPU 97%" 842 1226 7688 3894648
"moodycamel wait_dequeue, pinned, CPU 87%" 815 2274 90809 3526736
"mutex+condvar, pinned, CPU 29%" 90952 325566 893543 3078796
"spillway try_recv spin, pinned, CPU 99%" 645 961 9511 3709951
"moodycamel try_dequeue spin, pinned, CPU 99%" 813 2008 6994 3681324
EOD
$oneway1 << EOD
"spillway recv, unpinned, CPU 96%" 2288 4854494 9240508 9728072
"moodycamel wait_dequeue, unpinned, CPU 44%" 33196 1110751 3181748 3639348
"mutex+condvar, unpinned, CPU 23%" 37702 4920841 6117887 6579200
"spillway try_recv spin, unpinned, CPU 100%" 2035 541566 2377800 2856686
"moodycamel try_dequeue spin, unpinned, CPU 100%" 3456 138026 698138 1049385
"spillway recv, pinned, CPU 98%" 2404 313781 2313851 2797630
"moodycamel wait_dequeue, pinned, CPU 42%" 38165 5493786 6767653 7135928
"mutex+condvar, pinned, CPU 24%" 40721 5183924 9159419 9626554
"spillway try_recv spin, pinned, CPU 99%" 2055 1289062 3208954 3688290
"moodycamel try_dequeue spin, pinned, CPU 99%" 3276 2475631 4974537 5359009
EOD
set multiplot layout 2,1
set title 'Ping-pong round trip'
plot $pingpong0 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
set title 'One-way latency at 1.00 M msg/s offered, bursts every 50 us (receive - intended send time; sender waits by spinning)'
plot $oneway1 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
unset multiplot
