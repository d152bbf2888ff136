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
1 74.6543 65.0753 88.9915
2 152.1564 131.8313 159.9701
4 152.8743 137.6935 177.9942
16 146.3734 123.7388 153.2698
EOD
$send_many_unpinned << EOD
1 281.7372 276.3067 300.1223
2 250.0857 237.6847 262.0341
4 212.3598 186.9031 226.6497
16 188.5436 181.2885 193.4697
EOD
$recv_batch_unpinned << EOD
1 87.0862 78.6452 168.0624
2 142.3503 129.7851 175.6556
4 178.3177 174.8167 204.8658
16 166.6196 152.0248 183.1366
EOD
$recv_many_unpinned << EOD
1 91.8782 69.2674 169.4418
2 163.4314 147.8200 170.2013
4 163.9464 155.5197 174.8045
16 153.9135 137.3216 160.4781
EOD
$mutex_unpinned << EOD
1 10.4985 9.5935 12.7515
2 10.9406 10.0677 11.9222
4 13.0948 12.6128 13.3888
16 7.6489 6.9725 10.2880
EOD
$wfcq_unpinned << EOD
1 16.1150 15.3138 18.7724
2 38.6826 36.3906 46.3311
4 29.6366 26.2588 34.1730
16 27.6700 22.4494 31.1178
EOD
$moody_unpinned << EOD
1 31.4243 25.2983 40.5644
2 105.4859 102.6737 122.2259
4 110.6499 105.0228 121.6384
16 103.3665 98.4736 115.9794
EOD
$moody_bulk_unpinned << EOD
1 152.9377 129.2541 163.1002
2 153.1016 135.1380 157.9058
4 126.6319 121.5914 135.7121
16 112.3547 108.4878 127.5901
EOD
$memory_unpinned << EOD
1 247.4611 241.3139 253.6317
2 245.7171 240.0016 251.0165
4 246.9628 225.4446 261.3605
16 248.3209 238.6731 262.8078
EOD
$send_shared_unpinned << EOD
2 77.8205 66.0074 90.7395
4 85.1594 60.8704 93.7932
EOD
$moody_implicit_unpinned << EOD
2 51.2734 46.9174 86.0066
4 61.5045 54.8929 72.4571
EOD
$send_wait_unpinned << EOD
1 29.8500 27.5369 32.3179
2 32.3637 29.7740 70.4981
4 28.8738 25.2588 31.0605
16 27.7604 26.0915 30.1367
EOD
$send_many_wait_unpinned << EOD
1 225.6298 209.5236 242.6147
2 222.7705 192.9909 364.4190
4 217.1518 202.5144 260.9447
16 201.8893 158.9950 215.1445
EOD
$bounded_mutex_unpinned << EOD
1 9.9663 5.0704 11.8735
2 10.1264 7.6466 11.5888
4 8.1400 7.7766 9.6989
16 5.9404 5.6436 6.1754
EOD
$send_pinned << EOD
1 92.3215 91.1027 98.8674
2 106.4032 81.4556 130.7029
4 97.4606 69.1773 121.1942
16 104.1897 99.8700 110.8478
EOD
$send_many_pinned << EOD
1 278.4714 273.6663 291.4329
2 283.8114 280.2276 295.2813
4 292.0585 281.4098 304.7154
16 295.1994 270.4068 303.0053
EOD
$recv_batch_pinned << EOD
1 87.4069 73.8303 128.7183
2 80.6355 63.2312 88.6020
4 92.6210 81.7180 96.4411
16 95.7451 89.2952 103.5717
EOD
$recv_many_pinned << EOD
1 79.9740 64.5427 81.4990
2 87.2232 81.6483 96.0925
4 89.0119 78.3451 92.7894
16 101.3188 88.5475 106.8677
EOD
$mutex_pinned << EOD
1 7.5118 5.8202 11.0243
2 9.6912 7.3591 10.2208
4 9.7200 8.6941 10.5551
16 14.2386 12.6089 16.5969
EOD
$wfcq_pinned << EOD
1 15.8429 15.3733 19.3166
2 69.1383 52.9388 84.1409
4 81.0032 73.4068 85.4178
16 76.2217 71.0294 89.0697
EOD
$moody_pinned << EOD
1 39.1095 23.9142 50.7151
2 55.2117 39.6775 83.6357
4 55.0416 44.4867 80.7577
16 55.2178 41.3608 115.9634
EOD
$moody_bulk_pinned << EOD
1 148.0283 137.5660 172.6142
2 174.1496 165.0818 176.8246
4 196.8532 170.3150 208.7512
16 188.8117 149.7571 207.3682
EOD
$memory_pinned << EOD
1 240.8862 224.5895 244.1283
2 248.9320 243.4345 251.9537
4 254.9578 230.1549 264.5552
16 239.9675 221.9088 253.1770
EOD
$send_shared_pinned << EOD
2 126.5157 74.4440 162.9445
4 92.5436 77.3224 102.7003
EOD
$moody_implicit_pinned << EOD
2 19.5958 17.4547 81.3859
4 24.6560 20.5252 26.6749
EOD
$send_wait_pinned << EOD
1 31.9880 28.3019 33.8044
2 34.3492 31.0007 70.3985
4 30.5381 28.1667 30.7626
16 28.0554 25.1698 28.4951
EOD
$send_many_wait_pinned << EOD
1 239.4933 202.0836 245.1557
2 198.6726 190.5897 231.0848
4 225.3450 212.0450 272.1024
16 209.1640 178.5010 350.1446
EOD
$bounded_mutex_pinned << EOD
1 8.4790 3.6866 10.6875
2 10.2608 7.9913 11.3672
4 8.9295 7.3184 11.1756
16 8.2249 7.5984 9.1280
EOD
set multiplot layout 2,1
set title 'unpinned (round trip 136 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
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
set title 'pinned (round trip 134 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
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
