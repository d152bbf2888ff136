# Written by bench/channel.c. Run it from this folder: gnuplot channel.gp
set terminal pngcairo size 1200,1280
set termoption noenhanced
set output 'channel.png'
set xlabel 'producer threads P'
set ylabel 'million messages per second'
set logscale x 2
set logscale y 10
set grid
set key outside right top
set xrange [0.769231:20.8]
set xtics (1, 2, 4, 16)
$send_unpinned << EOD
1 175.6576 134.2654 194.7851
2 209.1681 178.1579 216.2168
4 183.4600 168.7893 206.3635
16 178.3838 171.3818 181.4396
EOD
$send_many_unpinned << EOD
1 289.3578 276.0230 292.3924
2 231.6407 225.6290 269.5623
4 228.6331 209.7458 235.5894
16 218.7827 206.4527 240.9885
EOD
$recv_batch_unpinned << EOD
1 148.4574 118.2340 165.0327
2 202.8667 165.4261 216.7302
4 211.6714 172.0537 222.8281
16 190.3074 169.0920 201.0861
EOD
$recv_many_unpinned << EOD
1 145.1027 105.4256 171.5518
2 205.5700 189.8362 223.6159
4 185.0247 176.2632 192.7207
16 173.3579 145.9878 175.1448
EOD
$mutex_unpinned << EOD
1 8.1135 6.1228 8.8911
2 8.7895 7.8961 11.2049
4 12.8181 10.7511 13.8721
16 7.4592 7.0077 8.4325
EOD
$wfcq_unpinned << EOD
1 23.6579 18.7648 47.4902
2 48.5743 44.2030 53.1823
4 29.5550 24.4739 42.3727
16 29.4879 25.1827 41.0584
EOD
$moody_unpinned << EOD
1 75.0808 50.8653 82.2172
2 125.8604 122.3876 136.4450
4 129.3540 113.7738 138.4072
16 129.3047 114.2460 135.6469
EOD
$moody_bulk_unpinned << EOD
1 175.9215 152.7281 180.1828
2 159.8203 146.2071 172.1159
4 132.5552 124.4971 152.1952
16 138.8082 118.9388 147.6439
EOD
$memory_unpinned << EOD
1 269.7398 243.1639 279.0252
2 267.5915 252.1686 279.6169
4 233.4370 228.8732 255.9501
16 264.2991 243.3565 272.4010
EOD
$send_shared_unpinned << EOD
2 16.0267 14.8899 17.4248
4 13.5586 12.0879 15.4194
EOD
$moody_implicit_unpinned << EOD
2 44.7644 39.9663 49.4521
4 75.4625 60.7727 84.2146
EOD
$send_wait_unpinned << EOD
1 32.6743 29.5177 34.0822
2 33.0307 31.3058 34.3341
4 31.4580 27.4286 33.2818
16 33.0330 31.9465 35.4100
EOD
$bounded_mutex_unpinned << EOD
1 11.1406 10.7367 12.7960
2 8.9872 7.7250 11.4031
4 6.1419 5.5601 6.7804
16 5.3624 5.0329 5.7623
EOD
$send_pinned << EOD
1 132.9906 125.9046 192.9985
2 144.9344 131.3868 211.3531
4 187.1117 137.7949 217.9936
16 185.7004 148.8103 190.7350
EOD
$send_many_pinned << EOD
1 305.3206 283.7627 318.3303
2 296.8565 273.8963 306.8691
4 302.0581 287.5866 321.6883
16 307.4275 293.2573 313.5669
EOD
$recv_batch_pinned << EOD
1 140.1261 129.6538 149.2949
2 156.7387 136.5317 165.1637
4 131.4635 102.1996 142.7559
16 142.9463 135.0969 177.0908
EOD
$recv_many_pinned << EOD
1 146.7997 142.1663 180.4015
2 150.0165 141.7391 225.2355
4 144.1819 94.0800 217.2830
16 153.5654 142.1902 196.7699
EOD
$mutex_pinned << EOD
1 10.7440 8.9526 11.3534
2 11.8523 11.3980 12.5922
4 11.6369 7.2679 13.2874
16 15.8337 15.0526 17.5370
EOD
$wfcq_pinned << EOD
1 20.2716 18.5397 23.8280
2 85.5051 82.7579 91.4716
4 90.0443 78.2504 94.3388
16 90.2579 87.0518 98.5702
EOD
$moody_pinned << EOD
1 62.5904 58.4876 77.7323
2 92.1428 48.9779 125.1734
4 60.3334 36.6563 79.1217
16 67.9059 66.9797 77.1583
EOD
$moody_bulk_pinned << EOD
1 172.5971 158.0336 176.1956
2 190.1719 179.7660 207.8861
4 191.8358 174.4177 205.8044
16 214.7223 185.0657 217.8792
EOD
$memory_pinned << EOD
1 269.3203 256.3314 280.3528
2 260.9577 258.2453 278.9433
4 247.0689 230.0292 261.7992
16 266.8247 244.1543 272.0264
EOD
$send_shared_pinned << EOD
2 18.4417 15.5723 19.6506
4 17.5547 15.6805 18.7933
EOD
$moody_implicit_pinned << EOD
2 25.8620 19.2557 27.2352
4 26.8868 23.2414 32.0939
EOD
$send_wait_pinned << EOD
1 31.6890 4.9060 33.2788
2 31.9980 31.2779 34.5753
4 31.3512 25.8840 34.5106
16 32.8173 28.6136 35.5679
EOD
$bounded_mutex_pinned << EOD
1 11.5879 8.3361 13.0146
2 10.1953 8.3667 10.5040
4 7.9990 6.7228 9.9861
16 8.3861 7.6569 9.8731
EOD
set multiplot layout 2,1
set title 'unpinned (round trip 126 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
plot $send_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#1f77b4' title 'spillway send', \
     $send_many_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#17becf' title 'spillway send_many(32)', \
     $recv_batch_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#2ca02c' title 'spillway send + recv_batch', \
     $recv_many_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#9467bd' title 'spillway send + recv_many', \
     $mutex_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#d62728' title 'mutex+condvar', \
     $wfcq_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#8c564b' title 'liburcu wfcqueue', \
     $moody_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#ff7f0e' title 'moodycamel (tokens)', \
     $moody_bulk_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#e377c2' title 'moodycamel bulk-32 (tokens)', \
     $memory_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#000000' dt 2 title 'memory, 1 thread (limit)', \
     $send_shared_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#bcbd22' title 'spillway send, 1 sender shared', \
     $moody_implicit_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#7f7f7f' title 'moodycamel enqueue (implicit, no tokens)', \
     $send_wait_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#393b79' dt 4 title 'spillway send_wait + recv_many, bounded (capacity 1024)', \
     $bounded_mutex_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#ad494a' dt 4 title 'bounded mutex+2 condvars (capacity 1024)'
set title 'pinned (round trip 126 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
plot $send_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#1f77b4' title 'spillway send', \
     $send_many_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#17becf' title 'spillway send_many(32)', \
     $recv_batch_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#2ca02c' title 'spillway send + recv_batch', \
     $recv_many_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#9467bd' title 'spillway send + recv_many', \
     $mutex_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#d62728' title 'mutex+condvar', \
     $wfcq_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#8c564b' title 'liburcu wfcqueue', \
     $moody_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#ff7f0e' title 'moodycamel (tokens)', \
     $moody_bulk_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#e377c2' title 'moodycamel bulk-32 (tokens)', \
     $memory_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#000000' dt 2 title 'memory, 1 thread (limit)', \
     $send_shared_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#bcbd22' title 'spillway send, 1 sender shared', \
     $moody_implicit_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#7f7f7f' title 'moodycamel enqueue (implicit, no tokens)', \
     $send_wait_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#393b79' dt 4 title 'spillway send_wait + recv_many, bounded (capacity 1024)', \
     $bounded_mutex_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#ad494a' dt 4 title 'bounded mutex+2 condvars (capacity 1024)'
unset multiplot
