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
1 100.9360 84.9281 171.6774
2 152.3611 142.7593 181.3572
4 145.0447 136.7415 151.0852
16 148.8473 130.1219 158.8731
EOD
$send_many_unpinned << EOD
1 288.1698 284.4779 292.9336
2 246.5852 202.5212 270.0546
4 211.3509 198.5316 219.4531
16 200.4249 195.7140 222.0711
EOD
$recv_batch_unpinned << EOD
1 80.0054 73.0806 187.9330
2 189.5002 156.4099 212.9515
4 172.0216 162.8726 177.8811
16 161.1919 156.3517 180.5630
EOD
$recv_many_unpinned << EOD
1 90.6830 70.2484 184.5719
2 153.7389 143.5406 165.8786
4 161.3416 154.7002 167.4341
16 144.4535 137.4864 150.5318
EOD
$mutex_unpinned << EOD
1 9.9087 8.0371 12.1934
2 11.9648 10.3464 12.6132
4 13.2226 12.6981 15.2545
16 9.4834 7.5960 12.8814
EOD
$wfcq_unpinned << EOD
1 13.6778 12.7968 16.7145
2 42.3061 33.1321 62.8867
4 26.2687 25.3479 41.5535
16 26.3846 24.2352 32.1383
EOD
$moody_unpinned << EOD
1 27.8490 21.5794 33.1468
2 116.4541 109.1436 121.6031
4 114.9679 102.1693 126.3107
16 105.4348 100.9148 118.6565
EOD
$moody_bulk_unpinned << EOD
1 135.3659 135.0836 175.6570
2 146.6066 122.4596 152.6836
4 130.0701 126.1476 142.0533
16 120.0817 99.5657 133.0239
EOD
$memory_unpinned << EOD
1 241.7442 227.7893 258.9393
2 262.8973 231.0882 270.9308
4 249.1865 238.1532 266.1302
16 249.4058 242.6670 274.1428
EOD
$send_shared_unpinned << EOD
2 16.6320 15.0870 26.2645
4 14.6904 11.6739 25.3061
EOD
$moody_implicit_unpinned << EOD
2 46.9157 37.6661 56.7518
4 56.2851 54.6384 58.7480
EOD
$send_wait_unpinned << EOD
1 33.7907 26.3850 42.3438
2 33.5923 30.2202 37.1792
4 29.7873 29.2766 31.4497
16 29.6398 29.2079 34.2923
EOD
$bounded_mutex_unpinned << EOD
1 9.4208 6.3150 11.2377
2 11.5199 10.2256 13.2248
4 8.3792 7.4568 8.5848
16 5.9393 5.8491 6.6903
EOD
$send_pinned << EOD
1 91.1448 80.3986 99.7635
2 112.2388 91.3648 149.4496
4 105.6548 94.8241 120.9401
16 104.0215 99.1002 173.6038
EOD
$send_many_pinned << EOD
1 290.8175 275.6792 298.5865
2 291.4080 248.1637 297.6320
4 285.3890 274.7466 294.6038
16 295.7104 273.4167 312.1221
EOD
$recv_batch_pinned << EOD
1 92.1391 74.6015 138.1039
2 95.5930 80.7166 110.0658
4 100.4724 88.0552 177.6013
16 98.3454 87.0643 184.2133
EOD
$recv_many_pinned << EOD
1 86.7320 78.4984 98.9039
2 99.9298 82.4003 106.7958
4 90.0651 79.0321 168.6161
16 92.3338 74.1663 164.5593
EOD
$mutex_pinned << EOD
1 8.6008 8.0097 9.9052
2 10.3656 9.9912 11.7863
4 10.1096 8.0919 10.1529
16 13.7122 9.9185 14.4844
EOD
$wfcq_pinned << EOD
1 15.3328 10.9092 18.0520
2 72.1367 71.1711 82.1794
4 79.4521 66.3990 84.7795
16 80.1392 76.0764 88.5109
EOD
$moody_pinned << EOD
1 30.6368 25.4520 40.9519
2 50.9748 41.9151 109.6431
4 41.1240 35.6083 50.1429
16 49.2298 42.4327 52.5526
EOD
$moody_bulk_pinned << EOD
1 148.9040 138.0578 161.6606
2 183.1722 165.7851 196.9268
4 183.7486 156.0873 202.3751
16 187.9278 178.6035 190.5013
EOD
$memory_pinned << EOD
1 245.2845 203.0620 250.8761
2 258.3514 242.1201 282.1259
4 244.5295 229.2153 251.0073
16 245.3953 240.8813 273.6883
EOD
$send_shared_pinned << EOD
2 16.7976 14.5587 25.9953
4 16.3915 14.1941 26.9190
EOD
$moody_implicit_pinned << EOD
2 21.1945 19.0294 25.7417
4 25.2842 20.9378 27.3784
EOD
$send_wait_pinned << EOD
1 34.1438 30.8415 36.9516
2 32.4896 28.0862 33.2684
4 30.5395 29.6811 36.1472
16 30.6076 27.5284 32.0333
EOD
$bounded_mutex_pinned << EOD
1 9.8894 8.3121 11.3204
2 10.4439 9.6733 11.6421
4 8.8139 6.9744 9.4442
16 8.2451 5.8218 9.2222
EOD
set multiplot layout 2,1
set title 'unpinned (round trip 142 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
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
set title 'pinned (round trip 141 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
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
