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
1 117.1756 87.2407 134.2460
2 163.4755 141.2023 182.4006
4 146.7727 123.7317 189.0451
16 125.5419 110.9457 163.2449
EOD
$send_many_unpinned << EOD
1 531.6254 397.7809 653.9308
2 432.3552 351.0592 510.7534
4 286.1266 257.8115 378.8813
16 253.2105 176.7690 327.4919
EOD
$recv_batch_unpinned << EOD
1 95.7343 69.6860 114.4432
2 165.4639 146.7080 180.4314
4 225.4009 201.4568 306.6590
16 208.3117 181.9421 239.7604
EOD
$recv_many_unpinned << EOD
1 105.8082 70.6586 112.5223
2 174.7770 148.9567 204.0719
4 231.0565 182.3005 277.3350
16 200.7753 180.5064 228.1965
EOD
$mutex_unpinned << EOD
1 8.4010 6.8605 13.3534
2 13.0163 12.9410 13.9989
4 14.3801 11.6578 14.6034
16 9.0438 5.1440 10.7721
EOD
$wfcq_unpinned << EOD
1 14.5644 11.7006 16.2102
2 38.4705 31.4779 42.7673
4 23.2558 22.0470 26.0040
16 23.7895 20.0665 25.3923
EOD
$moody_unpinned << EOD
1 24.5094 19.9496 41.4155
2 136.6493 121.4046 142.8591
4 138.6430 114.8022 158.2492
16 134.2542 111.6143 155.3419
EOD
$moody_bulk_unpinned << EOD
1 207.1415 148.7938 262.9036
2 184.7897 163.4099 210.8223
4 146.8523 132.1642 190.4810
16 159.9342 113.4332 174.8101
EOD
$memory_unpinned << EOD
1 360.7360 285.3321 374.8806
2 308.1820 253.2857 340.0168
4 274.8632 265.3021 287.3604
16 281.2235 252.8454 323.9760
EOD
$send_shared_unpinned << EOD
2 86.0666 40.1219 119.1393
4 98.2318 79.3697 107.6520
EOD
$moody_implicit_unpinned << EOD
2 41.0408 35.5678 48.0190
4 54.0800 49.0054 60.5871
EOD
$send_wait_unpinned << EOD
1 36.5655 35.7643 44.1620
2 39.8582 35.3146 43.1805
4 29.6087 26.9575 31.4749
16 33.6153 26.6964 36.7105
EOD
$send_many_wait_unpinned << EOD
1 218.1052 210.2774 229.6588
2 214.1635 189.5213 221.9842
4 173.3918 168.7038 278.0907
16 198.2933 178.5752 308.7857
EOD
$bounded_mutex_unpinned << EOD
1 11.7311 8.3452 14.2147
2 11.2212 9.6533 11.6700
4 7.5927 6.5479 9.6830
16 5.9905 5.7279 6.5389
EOD
$send_pinned << EOD
1 97.9469 79.4656 117.6248
2 100.0657 86.3726 113.5799
4 91.4889 84.5867 109.9343
16 106.3198 89.0370 112.5823
EOD
$send_many_pinned << EOD
1 512.0532 415.1236 655.9368
2 463.8296 431.5915 614.1500
4 470.0593 387.1493 485.1861
16 453.6035 428.4595 488.3582
EOD
$recv_batch_pinned << EOD
1 100.8983 68.0306 113.6896
2 90.0843 80.4858 115.1834
4 94.2054 57.4308 105.5035
16 101.4302 88.0695 117.3786
EOD
$recv_many_pinned << EOD
1 106.1475 75.1193 185.7150
2 89.9668 85.5752 107.7093
4 78.5843 55.6277 94.5420
16 89.8454 82.0937 105.2402
EOD
$mutex_pinned << EOD
1 8.7297 6.3692 11.2616
2 11.0921 9.0491 15.1452
4 11.8054 9.9729 13.2122
16 13.4828 12.4507 14.5335
EOD
$wfcq_pinned << EOD
1 14.9257 13.6028 15.7496
2 75.0074 69.6688 81.1426
4 74.2460 60.7842 81.3597
16 73.7653 72.4650 86.6804
EOD
$moody_pinned << EOD
1 30.8353 27.2422 116.8128
2 41.4020 34.0493 118.9594
4 31.6249 28.8332 43.9817
16 41.3173 27.0198 52.1832
EOD
$moody_bulk_pinned << EOD
1 196.6415 142.5380 269.0274
2 226.5005 119.2066 259.6246
4 201.4049 158.7847 206.4879
16 139.7741 98.1746 252.3820
EOD
$memory_pinned << EOD
1 334.7200 294.7294 379.7351
2 331.3678 270.5984 339.8835
4 274.0673 266.7842 295.9248
16 276.6289 252.9708 338.2628
EOD
$send_shared_pinned << EOD
2 104.6485 89.2707 114.2872
4 94.9241 89.8363 118.7756
EOD
$moody_implicit_pinned << EOD
2 17.1701 14.1461 23.5473
4 17.7440 14.1746 81.8086
EOD
$send_wait_pinned << EOD
1 40.0543 32.0192 44.3839
2 40.6955 37.7408 41.8914
4 33.5867 30.4365 34.6421
16 35.6811 29.4123 38.6463
EOD
$send_many_wait_pinned << EOD
1 215.9432 195.7321 237.2094
2 201.4918 173.1269 222.2860
4 184.2456 155.2974 405.2569
16 210.8693 188.3496 410.9447
EOD
$bounded_mutex_pinned << EOD
1 12.4369 9.7410 14.7519
2 13.4027 8.7779 14.0500
4 9.5529 5.5754 11.5379
16 8.7773 8.6940 10.4859
EOD
set multiplot layout 2,1
set title 'unpinned (round trip 150 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
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
     $send_many_wait_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#6b6ecf' dt 4 title 'spillway send_many_wait(32) + recv_many, bounded (capacity 1024)', \
     $bounded_mutex_unpinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#ad494a' dt 4 title 'bounded mutex+2 condvars (capacity 1024)'
set title 'pinned (round trip 149 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
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
     $send_many_wait_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#6b6ecf' dt 4 title 'spillway send_many_wait(32) + recv_many, bounded (capacity 1024)', \
     $bounded_mutex_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#ad494a' dt 4 title 'bounded mutex+2 condvars (capacity 1024)'
unset multiplot
