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
1 24.8416 18.7735 60.5695
2 104.6130 86.7899 110.9672
4 134.9887 113.6921 158.6246
16 70.3335 60.5544 95.8298
EOD
$send_many << EOD
1 65.1199 57.5052 104.7463
2 112.5448 97.3375 119.1456
4 145.4230 120.6342 151.7488
16 116.7561 103.2281 140.1739
EOD
$recv_batch << EOD
1 18.8499 17.3985 21.9699
2 94.7323 74.0379 123.4972
4 170.2152 130.3338 227.1753
16 84.7252 67.8692 99.8399
EOD
$mutex << EOD
1 12.8742 12.0737 13.0206
2 14.5456 12.1137 16.4607
4 15.2915 14.1322 15.6290
16 13.0480 9.2020 14.9772
EOD
$wfcq << EOD
1 13.4415 12.0632 14.1396
2 34.5337 31.8825 62.4013
4 24.0933 21.1992 25.8491
16 41.1209 31.1492 86.4110
EOD
$moody << EOD
1 36.6499 28.0512 56.8803
2 103.5363 73.6345 130.5769
4 136.3286 114.3440 155.4615
16 78.9248 71.2412 85.7608
EOD
$moody_bulk << EOD
1 142.0422 129.6602 179.0875
2 145.1237 96.4567 164.7089
4 146.5696 128.5475 153.3104
16 91.0032 63.8470 100.5822
EOD
$memory << EOD
1 302.0913 187.7836 314.5169
2 258.5743 216.4464 264.7708
4 324.9377 249.1949 383.4829
16 262.7636 239.5406 275.0079
EOD
plot $send using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'spillway send', \
     $send_many using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'spillway send_many(32)', \
     $recv_batch using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'spillway send + recv_batch', \
     $mutex using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'mutex+condvar', \
     $wfcq using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'liburcu wfcqueue', \
     $moody using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'moodycamel (tokens)', \
     $moody_bulk using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'moodycamel bulk-32 (tokens)', \
     $memory using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'memory, 1 thread (limit)'
