# Written by bench/channel.c; run: gnuplot /work/main/bench/results/channel.gp
set terminal pngcairo size 1000,640
set termoption noenhanced
set output '/work/main/bench/results/channel.png'
set title 'Spillway channel benchmark: P producers -> 1 receiver, u64 (median; bars: min..max)'
set xlabel 'producer threads P'
set ylabel 'million messages per second'
set logscale x 2
set logscale y 10
set grid
set key outside right top
set xrange [0.769231:20.8]
set xtics (1, 2, 4, 16)
$send << EOD
1 47.5192 42.0059 87.7936
2 106.4829 85.6472 148.0582
4 117.7064 99.0319 121.5211
16 107.2628 100.9134 130.3474
EOD
$send_many << EOD
1 370.4580 353.0789 447.3751
2 316.9773 286.2640 376.7833
4 219.4714 202.4121 266.1308
16 151.7986 131.5576 160.2528
EOD
$recv_batch << EOD
1 29.9226 28.5963 37.9941
2 112.7873 91.1885 120.4891
4 138.1422 126.6678 155.2074
16 141.2813 134.7411 161.4805
EOD
$recv_many << EOD
1 30.7885 26.5345 38.8550
2 89.7837 75.6053 107.7389
4 143.0158 139.4591 162.3097
16 146.7798 137.7770 182.3372
EOD
$mutex << EOD
1 12.9615 12.8306 13.8498
2 11.9825 10.4094 13.9347
4 14.4952 14.1811 15.0535
16 10.3852 8.1857 14.7353
EOD
$wfcq << EOD
1 13.2148 12.9392 101.3855
2 33.6661 30.0105 49.7478
4 39.9340 20.9702 108.9179
16 23.8854 20.9869 26.0839
EOD
$moody << EOD
1 31.6334 29.3658 43.0071
2 107.6402 100.9890 126.1631
4 118.7154 100.4884 132.7507
16 123.2977 103.8162 132.0717
EOD
$moody_bulk << EOD
1 146.6340 116.7252 173.0695
2 153.1701 127.1529 185.1776
4 129.5654 90.2100 150.4896
16 122.8893 119.5364 140.8475
EOD
$memory << EOD
1 291.1097 281.0040 321.4452
2 311.8823 271.6100 347.7627
4 278.6361 241.7876 285.9235
16 293.7002 272.6434 314.6096
EOD
plot $send using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'spillway send', \
     $send_many using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'spillway send_many(32)', \
     $recv_batch using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'spillway send + recv_batch', \
     $recv_many using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'spillway send + recv_many', \
     $mutex using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'mutex+condvar', \
     $wfcq using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'liburcu wfcqueue', \
     $moody using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'moodycamel (tokens)', \
     $moody_bulk using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'moodycamel bulk-32 (tokens)', \
     $memory using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'memory, 1 thread (limit)'
