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
"spillway recv, unpinned, CPU 98%" 709 1254 27365 1620525
"moodycamel wait_dequeue, unpinned, CPU 81%" 864 2680 91343 1889796
"mutex+condvar, unpinned, CPU 34%" 96470 227417 658515 2229168
"spillway try_recv spin, unpinned, CPU 96%" 602 981 5990 8027238
"moodycamel try_dequeue spin, unpinned, CPU 99%" 761 1826 9080 4189366
"spillway recv, pinned, CPU 98%" 704 1243 15268 2595057
"moodycamel wait_dequeue, pinned, CPU 84%" 831 2395 86920 1949474
"mutex+condvar, pinned, CPU 30%" 99612 235317 1160697 2804521
"spillway try_recv spin, pinned, CPU 99%" 591 910 4922 3700914
"moodycamel try_dequeue spin, pinned, CPU 99%" 753 1698 6472 3729263
EOD
$oneway1 << EOD
"spillway recv, unpinned, CPU 98%" 2096 1298805 4169030 4648835
"moodycamel wait_dequeue, unpinned, CPU 44%" 31321 827969 2492100 2818460
"mutex+condvar, unpinned, CPU 26%" 38689 326057 1986683 2436463
"spillway try_recv spin, unpinned, CPU 99%" 1824 142447 2017531 2469084
"moodycamel try_dequeue spin, unpinned, CPU 100%" 3257 131765 1999444 2466156
"spillway recv, pinned, CPU 99%" 2188 212764 2861241 3346075
"moodycamel wait_dequeue, pinned, CPU 44%" 30202 133900 2043946 2509965
"mutex+condvar, pinned, CPU 26%" 37217 681495 3751392 4228614
"spillway try_recv spin, pinned, CPU 100%" 1789 1791773 3635218 4118794
"moodycamel try_dequeue spin, pinned, CPU 100%" 3340 694171 2393582 2709060
EOD
set multiplot layout 2,1
set title 'Ping-pong round trip'
plot $pingpong0 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
set title 'One-way latency at 1.00 M msg/s offered, bursts every 50 us (receive - intended send time; sender waits by spinning)'
plot $oneway1 using ($2 * 1e-9):xtic(1) title 'p50' lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' lc rgb '#ff7f0e', '' using ($4 * 1e-9) title 'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) title 'max' lc rgb '#7f7f7f'
unset multiplot
