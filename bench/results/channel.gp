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
1 53.5083 45.4203 61.0576
2 121.5419 84.8822 127.5699
4 125.1682 108.4668 136.6453
16 108.6215 97.2151 111.4013
EOD
$send_many << EOD
1 376.6060 340.5487 502.2034
2 291.3140 268.0186 333.2141
4 235.9761 224.7483 265.4668
16 189.6116 140.9161 235.5536
EOD
$recv_batch << EOD
1 52.5632 45.1648 140.8458
2 107.5301 100.8150 136.0657
4 152.0366 112.6773 165.5798
16 151.5921 134.7957 163.4208
EOD
$recv_many << EOD
1 57.1500 50.3414 136.5340
2 103.8932 91.2764 134.7900
4 152.8992 140.5520 181.7520
16 131.9085 126.7395 159.1310
EOD
$mutex << EOD
1 11.4496 10.4105 12.2603
2 13.1455 11.6152 14.2438
4 14.0589 13.0755 16.3885
16 9.3671 8.0863 10.3111
EOD
$wfcq << EOD
1 12.0993 11.4019 14.6320
2 36.1827 30.1699 47.6336
4 22.1100 20.0713 23.9397
16 26.0223 21.4159 90.6395
EOD
$moody << EOD
1 31.8581 28.5320 51.6298
2 119.3936 89.0849 127.6692
4 122.6237 106.1228 152.5818
16 114.2923 110.7910 117.8572
EOD
$moody_bulk << EOD
1 149.5140 126.9651 199.1074
2 151.3174 129.6175 181.0584
4 134.0892 128.7877 145.0116
16 118.7591 115.9874 132.3871
EOD
$memory << EOD
1 287.8726 189.2196 335.5486
2 296.8616 289.4688 307.3424
4 291.3376 260.8686 331.9658
16 300.5037 280.9186 326.4074
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
