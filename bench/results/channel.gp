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
1 104.5300 100.3590 113.1304
2 148.0259 133.3808 157.7714
4 126.5056 112.4203 159.9416
16 121.2940 115.5534 129.3115
EOD
$send_many_unpinned << EOD
1 437.3012 397.1126 501.8813
2 344.3536 320.6788 389.7285
4 288.7100 268.6749 331.9511
16 246.9761 185.1776 321.3572
EOD
$recv_batch_unpinned << EOD
1 94.0494 79.9781 102.4797
2 184.6350 134.0167 213.7180
4 218.5645 198.2508 225.8126
16 169.0098 136.4940 188.9756
EOD
$recv_many_unpinned << EOD
1 79.2005 71.9673 87.7621
2 138.5817 124.7069 183.3582
4 202.3960 183.4089 210.8666
16 162.8816 139.0425 194.7833
EOD
$mutex_unpinned << EOD
1 9.9394 7.9030 11.2607
2 11.4351 10.3715 12.7988
4 13.3457 12.9614 14.5394
16 7.1522 6.6870 15.7813
EOD
$wfcq_unpinned << EOD
1 17.9295 15.3841 22.6412
2 45.1252 40.1787 46.1437
4 41.0912 35.2816 107.8796
16 27.7505 26.3120 35.5495
EOD
$moody_unpinned << EOD
1 34.2047 22.3314 41.3845
2 105.1825 98.8498 125.8586
4 124.7414 108.7612 143.9126
16 106.5684 96.4498 124.2106
EOD
$moody_bulk_unpinned << EOD
1 145.4996 114.0351 199.7638
2 169.9394 154.7850 179.4896
4 145.6413 136.6896 159.3271
16 142.2788 103.4296 150.7612
EOD
$memory_unpinned << EOD
1 291.3704 282.5496 350.0726
2 278.6146 251.9241 301.5180
4 283.0751 249.8196 293.1529
16 298.5269 226.1773 308.0063
EOD
$send_shared_unpinned << EOD
2 89.4869 80.5987 103.0167
4 98.8290 82.6128 124.4072
EOD
$moody_implicit_unpinned << EOD
2 37.2366 31.8406 38.4322
4 57.6880 44.9960 78.2920
EOD
$send_wait_unpinned << EOD
1 33.9346 32.6222 40.1213
2 35.0841 28.8635 40.1418
4 33.6860 30.9317 39.3176
16 34.4604 19.3705 35.5222
EOD
$send_many_wait_unpinned << EOD
1 225.4143 171.9426 241.9475
2 190.1818 160.1520 204.5208
4 177.8160 160.9201 304.1613
16 195.7555 53.4541 311.7337
EOD
$bounded_mutex_unpinned << EOD
1 5.1167 4.4619 10.9669
2 8.5956 4.2385 10.7872
4 5.9908 5.0100 7.1464
16 5.5749 4.5508 5.9586
EOD
$send_pinned << EOD
1 104.3237 92.8169 163.9005
2 112.6504 90.4777 120.0178
4 106.0826 90.8502 133.6436
16 94.8321 75.9821 157.5646
EOD
$send_many_pinned << EOD
1 426.6685 348.8097 455.8206
2 466.5730 396.8372 534.1983
4 442.1358 422.9948 532.2747
16 432.2968 315.8886 470.0895
EOD
$recv_batch_pinned << EOD
1 89.5578 81.9527 113.6672
2 98.0915 81.6165 141.4737
4 81.7918 72.6103 192.8451
16 79.0258 67.4814 92.8854
EOD
$recv_many_pinned << EOD
1 85.9787 77.3120 97.8979
2 79.1219 77.6651 87.6816
4 87.3957 75.8283 184.2536
16 88.2905 80.7647 89.0592
EOD
$mutex_pinned << EOD
1 9.6188 8.3382 10.8019
2 10.8941 9.3686 13.3693
4 11.7960 10.4238 16.2395
16 15.5877 13.3168 15.7656
EOD
$wfcq_pinned << EOD
1 16.4968 13.2730 92.0131
2 68.8387 64.8570 76.0310
4 79.1918 76.6986 81.5208
16 74.5107 46.7490 82.1117
EOD
$moody_pinned << EOD
1 35.9025 27.6351 111.5394
2 35.0566 24.5268 50.2384
4 38.2910 29.4263 43.7069
16 36.9016 36.4743 59.1544
EOD
$moody_bulk_pinned << EOD
1 150.8412 117.9083 193.6899
2 177.3828 143.0025 234.5172
4 197.8600 160.9006 212.1339
16 160.7707 137.4573 213.7977
EOD
$memory_pinned << EOD
1 282.8579 264.7318 362.7848
2 273.9207 270.3111 302.0271
4 294.4023 267.8714 307.1881
16 305.2844 245.2109 322.9716
EOD
$send_shared_pinned << EOD
2 120.0103 91.6612 132.4262
4 96.6024 88.9380 126.1623
EOD
$moody_implicit_pinned << EOD
2 16.8623 15.0816 18.4424
4 20.2683 18.0806 21.9891
EOD
$send_wait_pinned << EOD
1 32.7510 20.5037 40.6668
2 36.0744 33.4328 47.7999
4 32.2512 31.6797 35.7950
16 35.2812 8.5751 35.6481
EOD
$send_many_wait_pinned << EOD
1 220.9457 170.8690 391.1933
2 208.9421 165.5167 216.4878
4 178.6013 154.0504 190.1416
16 180.5918 144.6469 202.8298
EOD
$bounded_mutex_pinned << EOD
1 6.0323 4.4049 11.3927
2 6.0107 3.4372 8.5936
4 4.4689 3.1808 8.1791
16 4.6701 2.6801 8.9870
EOD
set multiplot layout 2,1
set title 'unpinned (round trip 137 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
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
set title 'pinned (round trip 137 ns, near): P producers -> 1 receiver, u64; median, bars min..max'
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
