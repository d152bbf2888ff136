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
1 114.0547 105.3648 152.2104
2 165.4403 149.1058 178.3779
4 160.1538 135.3532 181.0891
16 150.5087 128.3718 166.8836
EOD
$send_many_unpinned << EOD
1 283.9105 265.1183 304.7586
2 235.3820 217.9082 249.0647
4 214.6447 205.2755 231.7317
16 196.4305 189.7723 217.7350
EOD
$recv_batch_unpinned << EOD
1 84.6471 67.1706 90.5175
2 167.3414 162.1940 214.2286
4 190.8192 169.3159 218.2890
16 155.3391 147.3651 170.2701
EOD
$recv_many_unpinned << EOD
1 94.8211 89.3700 149.1599
2 161.6785 150.5639 179.7789
4 159.0900 153.3105 172.0471
16 149.2951 141.9096 172.2060
EOD
$mutex_unpinned << EOD
1 11.9897 7.9564 12.2932
2 11.8879 10.8527 14.2468
4 13.4147 12.8249 13.9565
16 8.5089 6.5937 9.9337
EOD
$wfcq_unpinned << EOD
1 15.6216 14.1074 23.5062
2 45.4709 45.0392 49.4088
4 31.9307 26.9640 39.5525
16 32.6844 28.7850 36.2495
EOD
$moody_unpinned << EOD
1 57.9307 40.9363 110.2968
2 114.9988 110.6416 120.6150
4 115.8124 112.6387 124.1651
16 107.5921 102.7057 116.9451
EOD
$moody_bulk_unpinned << EOD
1 155.3900 143.4826 171.5592
2 154.5319 115.5846 171.6773
4 130.9547 125.7183 138.9532
16 126.0866 117.2130 136.0611
EOD
$memory_unpinned << EOD
1 255.5534 206.5577 277.9142
2 250.2455 225.9430 277.1367
4 245.5824 236.5568 256.2281
16 248.7491 238.1790 279.3435
EOD
$send_shared_unpinned << EOD
2 93.9695 40.1869 96.8344
4 93.8362 64.8870 125.1615
EOD
$moody_implicit_unpinned << EOD
2 47.8938 35.0542 57.6968
4 55.2753 48.9712 77.0162
EOD
$send_wait_unpinned << EOD
1 31.7119 26.0669 33.8824
2 30.3723 27.9480 30.7273
4 31.5343 25.8527 67.1575
16 27.5544 23.8319 29.6916
EOD
$bounded_mutex_unpinned << EOD
1 12.1865 10.7489 14.3359
2 11.0059 10.0214 11.3170
4 7.9635 7.6703 9.4207
16 5.8005 5.6171 6.1332
EOD
$send_pinned << EOD
1 143.9871 89.3880 164.7353
2 106.2839 91.2262 125.0816
4 89.8924 71.6719 114.7702
16 105.3517 89.1248 126.3611
EOD
$send_many_pinned << EOD
1 272.8743 270.8418 300.2707
2 285.4247 259.0696 298.9928
4 291.8383 278.9782 294.5003
16 295.7302 279.6387 304.7956
EOD
$recv_batch_pinned << EOD
1 93.4243 74.8463 173.5036
2 91.1114 74.2732 120.3575
4 77.1050 59.7617 81.7336
16 82.6053 72.6637 106.8565
EOD
$recv_many_pinned << EOD
1 89.0717 74.8887 100.3994
2 81.7208 80.2977 178.8306
4 78.3491 66.7356 82.6462
16 90.2287 77.7817 153.3933
EOD
$mutex_pinned << EOD
1 7.7082 6.7878 9.2192
2 9.6800 9.0072 12.0771
4 10.6269 8.4440 12.8412
16 13.0569 11.9240 15.6261
EOD
$wfcq_pinned << EOD
1 16.7339 11.6908 19.7812
2 74.0607 57.1293 77.6643
4 85.1476 58.7896 87.0987
16 80.8947 77.9269 84.5794
EOD
$moody_pinned << EOD
1 58.8398 32.5253 98.1846
2 52.1603 37.3539 75.3056
4 62.9673 31.8176 136.8062
16 58.4529 39.9898 60.0335
EOD
$moody_bulk_pinned << EOD
1 158.8154 141.8741 173.2886
2 187.1584 144.6789 201.1861
4 179.7709 161.8089 189.0510
16 193.0519 178.3022 204.5041
EOD
$memory_pinned << EOD
1 247.4459 236.2918 264.6374
2 244.5482 231.3796 275.3295
4 254.1052 239.1147 271.0560
16 258.2499 223.7306 280.7545
EOD
$send_shared_pinned << EOD
2 103.2006 87.9442 114.4558
4 110.6061 94.2157 135.2249
EOD
$moody_implicit_pinned << EOD
2 19.8739 18.6397 26.6406
4 21.2621 17.0677 76.2188
EOD
$send_wait_pinned << EOD
1 33.6082 28.4087 34.7951
2 27.8477 24.3710 30.9530
4 33.6176 30.8845 69.5816
16 28.1380 26.3851 36.3458
EOD
$bounded_mutex_pinned << EOD
1 11.1979 9.5755 14.3587
2 11.2589 10.7369 14.2774
4 9.9306 7.7847 12.1893
16 9.0223 7.7486 10.1944
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
set title 'pinned (round trip 142 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
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
