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
1 71.2334 63.6614 117.8090
2 148.5222 128.3626 173.9241
4 155.1890 137.0793 185.8205
16 120.6409 111.6903 133.6102
EOD
$send_many_unpinned << EOD
1 418.3679 402.6369 453.4427
2 349.0277 334.8675 400.5725
4 348.6135 282.7360 367.1783
16 231.5867 214.5680 258.7194
EOD
$recv_batch_unpinned << EOD
1 76.6648 70.6680 191.1909
2 164.6538 158.8764 215.3001
4 234.3330 186.1820 264.1307
16 169.6708 154.6214 199.0456
EOD
$recv_many_unpinned << EOD
1 70.5183 59.1106 83.1180
2 159.1891 143.4838 215.5637
4 223.8100 183.8453 270.4893
16 151.9237 139.8411 168.8927
EOD
$mutex_unpinned << EOD
1 9.0774 7.0208 10.4718
2 10.3773 8.3367 11.9571
4 11.9913 11.6591 15.1426
16 9.1198 7.1576 10.2120
EOD
$wfcq_unpinned << EOD
1 15.1968 12.6875 22.3701
2 44.0756 33.3302 80.5126
4 32.2415 27.1265 41.7423
16 33.1373 25.5827 90.1768
EOD
$moody_unpinned << EOD
1 31.7372 25.5309 49.4040
2 129.0521 98.1755 180.1514
4 147.6929 116.6333 173.0446
16 97.0324 92.2900 112.0388
EOD
$moody_bulk_unpinned << EOD
1 170.3991 145.0643 188.6646
2 168.9838 157.7176 199.1055
4 148.3076 144.8194 179.4671
16 118.6841 105.0911 121.6490
EOD
$memory_unpinned << EOD
1 321.2910 281.1703 354.5108
2 286.9328 257.2887 342.5021
4 287.9561 257.8875 321.5697
16 268.0049 233.4395 320.5455
EOD
$send_shared_unpinned << EOD
2 79.7715 68.3581 114.1090
4 121.3586 63.8465 178.2256
EOD
$moody_implicit_unpinned << EOD
2 44.8225 33.5926 48.7143
4 51.5855 48.9933 61.6224
EOD
$send_wait_unpinned << EOD
1 31.4781 29.7590 37.6109
2 29.4020 28.3108 30.2495
4 26.5631 14.5524 29.3921
16 27.4548 22.3094 36.2205
EOD
$send_many_wait_unpinned << EOD
1 219.1195 217.0439 234.0969
2 214.7501 209.4616 233.2091
4 201.6252 124.3701 236.5181
16 178.9013 145.4230 192.3379
EOD
$bounded_mutex_unpinned << EOD
1 9.5362 4.1329 11.0092
2 9.1902 5.5129 11.6785
4 7.6049 4.5181 8.8195
16 4.5254 4.1405 5.7571
EOD
$send_pinned << EOD
1 100.9684 64.9172 115.4046
2 93.3382 63.1380 97.8306
4 93.2719 61.8949 170.2282
16 80.1979 72.1860 138.2275
EOD
$send_many_pinned << EOD
1 442.5656 405.0765 454.2702
2 450.1598 430.0315 557.5765
4 518.8111 406.1247 664.2904
16 405.7362 400.7065 465.2003
EOD
$recv_batch_pinned << EOD
1 75.8231 51.8787 77.9661
2 83.8845 71.5085 92.8959
4 79.2393 67.3335 84.9063
16 67.4657 56.9826 70.4674
EOD
$recv_many_pinned << EOD
1 81.1307 70.1465 91.3313
2 70.4693 60.3405 203.1058
4 74.3816 71.5889 95.0749
16 76.5559 51.3185 106.1243
EOD
$mutex_pinned << EOD
1 11.0654 8.4654 12.0827
2 11.3391 9.8274 12.1291
4 11.8781 10.8699 14.0745
16 14.5646 13.4718 15.1490
EOD
$wfcq_pinned << EOD
1 13.4656 11.6546 18.9304
2 72.2047 63.8667 75.6640
4 72.6228 70.2673 89.6604
16 72.3348 66.2639 81.8924
EOD
$moody_pinned << EOD
1 30.7514 26.8130 44.3243
2 32.6432 26.2102 55.8521
4 48.5007 38.0539 57.5161
16 48.2781 39.8821 86.5549
EOD
$moody_bulk_pinned << EOD
1 168.5383 133.3608 217.2117
2 208.8797 156.4672 287.7704
4 214.1795 116.2333 243.6711
16 171.1495 148.1104 218.2500
EOD
$memory_pinned << EOD
1 324.2835 312.0094 366.2444
2 306.3340 262.2377 329.0800
4 286.7144 260.8056 332.1678
16 261.5814 246.6651 290.8303
EOD
$send_shared_pinned << EOD
2 110.6907 92.2729 136.8669
4 112.3044 97.9040 167.0728
EOD
$moody_implicit_pinned << EOD
2 18.9131 18.1648 20.2017
4 17.6461 17.0340 22.9298
EOD
$send_wait_pinned << EOD
1 30.2560 29.7820 35.1593
2 30.6516 27.0225 38.0589
4 27.9006 23.7443 31.8742
16 23.8467 14.2605 27.9357
EOD
$send_many_wait_pinned << EOD
1 231.8597 216.6113 243.8263
2 223.0039 200.4462 241.0557
4 209.8377 98.2667 217.4759
16 201.2342 119.6167 208.0587
EOD
$bounded_mutex_pinned << EOD
1 9.8230 5.3585 11.5103
2 9.1933 3.5304 11.4176
4 8.6993 3.2001 8.8162
16 3.4560 2.8812 4.4603
EOD
set multiplot layout 2,1
set title 'unpinned (round trip 143 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
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
     $send_many_wait_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#6b6ecf' dt 4 title 'spillway send_many_wait(32) + recv_many, bounded (capacity 1024)', \
     $bounded_mutex_pinned using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#ad494a' dt 4 title 'bounded mutex+2 condvars (capacity 1024)'
unset multiplot
